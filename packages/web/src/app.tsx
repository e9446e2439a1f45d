/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { ChatStore, type ConnectOptions } from './chat-store.ts';
import { ChatScreen } from './chat-screen.tsx';
import { ConnectScreen } from './connect-screen.tsx';
import { describeError } from './describe-error.ts';
import { t } from './i18n/index.ts';
import { formatServerList, parseServerList } from './server-addresses.ts';
import { forgetStoredSession, isSignedOut, loadStoredSession, saveStoredSession, SIGNED_OUT_MESSAGE, type StoredSession } from './stored-session.ts';

export function App() {
  const [store, setStore] = useState<ChatStore>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // A browser that stays signed in signs in with its device token at once, without the form.
  const [resuming, setResuming] = useState<StoredSession | undefined>(loadStoredSession);

  const connect = async (options: ConnectOptions) => {
    setBusy(true);
    setError(undefined);
    try {
      const next = new ChatStore(options);
      await next.connect();
      const device = next.client.device;
      if (options.remember !== undefined && device) saveStoredSession({ url: typeof options.url === 'string' ? options.url : formatServerList(options.url), name: next.me, token: device.token, deviceId: device.id });
      setStore(next);
    } catch (failure) {
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

  if (!store && resuming) {
    return (
      <main class="connect">
        <p class="connect-lead" role="status">
          Signing in as {resuming.name}…
        </p>
      </main>
    );
  }
  if (!store) return <ConnectScreen onConnect={(options) => void connect(options)} error={error} busy={busy} />;
  return <ChatScreen store={store} onLeave={leave} onSignOut={signOut} />;
}
