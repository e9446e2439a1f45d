/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { ChatStore, type ConnectOptions } from './chat-store.ts';
import { ChatScreen } from './chat-screen.tsx';
import { ConnectScreen } from './connect-screen.tsx';
import { describeError } from './describe-error.ts';
import { openE2eSession, type E2eSession } from './e2e-session.ts';
import type { RestartE2e } from './identity-dialog.tsx';
import { t } from './i18n/index.ts';
import { formatServerList, parseServerList } from './server-addresses.ts';
import { forgetStoredSession, isSignedOut, loadStoredSession, saveStoredSession, SIGNED_OUT_MESSAGE, type StoredSession } from './stored-session.ts';

export function App() {
  const [store, setStore] = useState<ChatStore>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // A browser that stays signed in signs in with its device token at once, without the form.
  const [resuming, setResuming] = useState<StoredSession | undefined>(loadStoredSession);
  // Signing in again with the same end-to-end session (after an identity import or reset): who, for the status line.
  const [restarting, setRestarting] = useState<string>();

  /** `kept`: the end-to-end session of the sign-in before (same account), else one is opened for this sign-in. */
  const connect = async (options: ConnectOptions, kept?: E2eSession) => {
    setBusy(true);
    setError(undefined);
    const { credentials } = options;
    const session = kept ?? (await openE2eSession(firstAddress(options.url), credentials.kind === 'guest' ? undefined : credentials.name));
    try {
      const next = new ChatStore(options, session);
      await next.connect();
      const device = next.client.device;
      if (options.remember !== undefined && device) saveStoredSession({ url: typeof options.url === 'string' ? options.url : formatServerList(options.url), name: next.me, token: device.token, deviceId: device.id });
      setStore(next);
    } catch (failure) {
      // A failed sign-in leaves nothing behind (a database made for it goes); a kept session only lets go of its lock.
      if (kept) session.releaseAfter(Promise.resolve());
      else await session.discard();
      const stored = options.credentials.kind === 'token';
      if (stored && isSignedOut(failure)) {
        forgetStoredSession();
        setError(SIGNED_OUT_MESSAGE);
      } else {
        // Unreachable server and the like: the token is kept, so a reload tries it again.
        setError(stored ? `Could not sign in as ${options.credentials.name}: ${describeError(failure)} Reload to try again, or sign in below.` : describeError(failure));
      }
    } finally {
      setBusy(false);
      setResuming(undefined);
    }
  };

  useEffect(() => {
    if (resuming) void connect({ url: parseServerList(resuming.url), credentials: { kind: 'token', name: resuming.name, token: resuming.token } });
  }, []);

  const restart: RestartE2e = (prepare) => {
    const current = store;
    const session = current?.session;
    if (!current || !session) return;
    setStore(undefined);
    setRestarting(current.me);
    void (async () => {
      await current.close({ keepE2e: true });
      try {
        await prepare(session);
      } catch (failure) {
        session.releaseAfter(Promise.resolve());
        setRestarting(undefined);
        setError(describeError(failure));
        return;
      }
      await connect(signInAgain(current), session);
      setRestarting(undefined);
    })();
  };

  const leave = (reason?: string) => {
    const signedOut = isSignedOut(store?.fatal);
    if (signedOut) forgetStoredSession();
    void store?.close();
    setStore(undefined);
    setError(signedOut ? SIGNED_OUT_MESSAGE : reason);
    document.title = t('app.name');
  };

  /** Signing out revokes this device's token on the server, so a copy of it is worth nothing either. */
  const signOut = () => {
    const current = store;
    forgetStoredSession();
    setStore(undefined);
    setError(undefined);
    document.title = t('app.name');
    if (!current) return;
    const device = current.client.device;
    const revoked = device ? current.client.request('revoke', { device: device.id }).then(() => undefined, () => undefined) : Promise.resolve();
    void revoked.then(() => current.close());
  };

  if (!store && (resuming || restarting !== undefined)) {
    return (
      <main class="connect">
        <p class="connect-lead" role="status">
          {resuming ? `Signing in as ${resuming.name}…` : t('e2e.restarting', { name: restarting ?? '' })}
        </p>
      </main>
    );
  }
  if (!store) return <ConnectScreen onConnect={(options) => void connect(options)} error={error} busy={busy} />;
  return <ChatScreen store={store} onLeave={leave} onSignOut={signOut} onRestart={restart} />;
}

const firstAddress = (url: ConnectOptions['url']): string => (typeof url === 'string' ? url : (url[0] ?? ''));

/** How to sign in again as the same person (after an identity import or reset): with the device token if there is one, never a second registration. */
function signInAgain(store: ChatStore): ConnectOptions {
  const { credentials, url } = store.options;
  const device = store.client.device;
  if (device) return { url, credentials: { kind: 'token', name: store.me, token: device.token } };
  return { url, credentials: credentials.kind === 'register' ? { ...credentials, kind: 'login' } : credentials };
}
