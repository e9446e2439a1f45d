/** @jsxImportSource preact */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectOptions } from './chat-store.ts';
import { t } from './i18n/index.ts';
import { defaultServers, formatServerList, pageServerUrl, parseServerList, sameServerList } from './server-addresses.ts';
import { deviceLabel } from './stored-session.ts';

const remembered = (key: string): string => {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
};
const remember = (key: string, value: string): void => {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage disabled: nothing to remember, nothing lost.
  }
};

export function ConnectScreen({ onConnect, error, busy }: { onConnect: (options: ConnectOptions) => void; error: string | undefined; busy: boolean }) {
  // A remembered list is the person's choice; otherwise the field shows this page's node, then
  // the other nodes once /client.json has named them.
  const [saved] = useState(() => remembered('parley.server'));
  const [server, setServer] = useState(() => saved || pageServerUrl());
  const edited = useRef(false);
  useEffect(() => {
    if (saved) return;
    void defaultServers().then((list) => {
      if (!edited.current) setServer(formatServerList(list));
    });
  }, []);
  const [name, setName] = useState(() => remembered('parley.name'));
  const [password, setPassword] = useState('');
  const [register, setRegister] = useState(false);
  const [stay, setStay] = useState(false);
  const [problem, setProblem] = useState<string>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (register && (!trimmed || !password)) return setProblem(t('connect.needBoth'));
    if (password && !trimmed) return setProblem(t('connect.needName'));
    setProblem(undefined);
    // Connect pressed before /client.json answered: the other nodes still count.
    const defaults = await defaultServers();
    const urls = saved || edited.current ? parseServerList(server) : defaults;
    if (urls.length === 0) return setProblem(t('connect.needServer'));
    // The default is not remembered, so the next visit gets the nodes the server names then.
    const isDefault = sameServerList(urls, defaults);
    remember('parley.server', isDefault ? '' : formatServerList(urls));
    remember('parley.name', trimmed);
    const credentials: ConnectOptions['credentials'] = password
      ? { kind: register ? 'register' : 'login', name: trimmed, password }
      : { kind: 'guest', ...(trimmed ? { name: trimmed } : {}) };
    // Guests have nothing to stay signed in to: the checkbox counts for accounts only.
    onConnect({ url: urls, credentials, ...(stay && password ? { remember: deviceLabel() } : {}) });
  };

  const shown = problem ?? error;
  return (
    <main class="connect">
      <form class="connect-card" onSubmit={(event) => void submit(event)} aria-labelledby="connect-title">
        <div class="connect-brand" aria-hidden="true">
          <span class="logo">P</span>
        </div>
        <h1 id="connect-title">{t('connect.title')}</h1>
        <p class="connect-lead">{t('connect.lead')}</p>
        <label class="field">
          <span>{t('connect.name')}</span>
          <input type="text" name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="username" autocapitalize="off" spellcheck={false} placeholder={t('connect.namePlaceholder')} autofocus />
        </label>
        <label class="field">
          <span>
            {t('connect.password')} <small>{t('connect.passwordHint')}</small>
          </span>
          <input type="password" name="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete={register ? 'new-password' : 'current-password'} />
        </label>
        <label class="check">
          <input type="checkbox" checked={register} onChange={(e) => setRegister(e.currentTarget.checked)} />
          <span>{t('connect.register')}</span>
        </label>
        <label class="check">
          <input type="checkbox" checked={stay && password !== ''} disabled={!password} onChange={(e) => setStay(e.currentTarget.checked)} aria-describedby="stay-hint" />
          <span>Stay signed in on this device</span>
        </label>
        <small id="stay-hint" class="muted">
          For accounts: this browser keeps a sign-in you can revoke, never your password. Sign out or /devices ends it.
        </small>
        <details class="advanced">
          <summary>{t('connect.server')}</summary>
          <label class="field">
            <span>{t('connect.serverAddress')}</span>
            <input
              type="text"
              name="server"
              value={server}
              onInput={(e) => {
                edited.current = true;
                setServer(e.currentTarget.value);
              }}
              autocapitalize="off"
              spellcheck={false}
              aria-describedby="server-hint"
            />
          </label>
          <small id="server-hint" class="muted">
            {t('connect.serverHint')}
          </small>
        </details>
        {shown && (
          <p class="form-error" role="alert">
            {shown}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('connect.connecting') : t('connect.connect')}
        </button>
      </form>
    </main>
  );
}
