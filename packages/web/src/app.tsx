/** @jsxImportSource preact */
import { useState } from 'preact/hooks';
import { ChatStore, type ConnectOptions } from './chat-store.ts';
import { ChatScreen } from './chat-screen.tsx';
import { ConnectScreen } from './connect-screen.tsx';
import { describeError } from './describe-error.ts';
import { t } from './i18n/index.ts';

export function App() {
  const [store, setStore] = useState<ChatStore>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const connect = async (options: ConnectOptions) => {
    setBusy(true);
    setError(undefined);
    try {
      const next = new ChatStore(options);
      await next.connect();
      setStore(next);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const leave = (reason?: string) => {
    void store?.close();
    setStore(undefined);
    setError(reason);
    document.title = t('app.name');
  };

  if (!store) return <ConnectScreen onConnect={(options) => void connect(options)} error={error} busy={busy} />;
  return <ChatScreen store={store} onLeave={leave} />;
}
