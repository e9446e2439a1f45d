/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import { BansDialog } from './bans-dialog.tsx';
import { describeDisconnect } from './describe-error.ts';
import { Composer } from './composer.tsx';
import { DevicesDialog } from './devices-dialog.tsx';
import { E2eStatusBanner, IdentityChangedBanner } from './e2e-banners.tsx';
import { EncryptionBadge } from './e2e-indicator.tsx';
import { FederatedName } from './federated-name.tsx';
import { IdentityDialog, type RestartE2e } from './identity-dialog.tsx';
import { t } from './i18n/index.ts';
import { MenuIcon, PeopleIcon } from './icons.tsx';
import { LiveAnnouncer } from './live-announcer.tsx';
import { MemberList } from './member-list.tsx';
import { NotifyLevelSelect, TypingLine } from './message-actions.tsx';
import { MessageList } from './message-list.tsx';
import { UserInfoDialog } from './moderation-dialogs.tsx';
import { ReconnectBanner } from './reconnect-banner.tsx';
import { RoomControls } from './room-settings.tsx';
import { Sidebar } from './sidebar.tsx';
import { useStore } from './use-store.ts';
import { VerifyDialog } from './verify-dialog.tsx';

/**
 * The signed-in layout: conversations | messages | members. Under 640 px the sidebar is a drawer
 * behind the menu button; under 1000 px the member list is one behind the people button.
 */
export interface ChatScreenProps {
  store: ChatStore;
  onLeave: (reason?: string) => void;
  onSignOut: () => void;
  /** Signs in again after the identity key was imported or reset, or the removed device wiped. */
  onRestart: RestartE2e;
}

export function ChatScreen({ store, onLeave, onSignOut, onRestart }: ChatScreenProps) {
  useStore(store);
  const [navOpen, setNavOpen] = useState(false);
  const [membersOpen, setMembersOpen] = useState(false);
  const conv = store.active;

  const unread = [...store.conversations.values()].reduce((sum, c) => sum + c.unread, 0);
  const unreadElsewhere = [...store.conversations.values()].some((c) => c.unread > 0 && c.key !== store.activeKey);
  useEffect(() => {
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${conv ? `${conv.title} — ` : ''}${t('app.name')}`;
  }, [unread, conv?.title]);

  useEffect(() => {
    const seen = () => {
      if (!document.hidden) store.markActiveRead();
    };
    const keys = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setNavOpen(false);
        setMembersOpen(false);
      } else if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
        // Alt+Up/Down: previous/next conversation, in sidebar order.
        const list = store.sortedConversations();
        const at = list.findIndex((c) => c.key === store.activeKey);
        const next = list[(at + (event.key === 'ArrowUp' ? -1 : 1) + list.length) % list.length];
        if (next) {
          event.preventDefault();
          store.activate(next.key);
        }
      }
    };
    document.addEventListener('visibilitychange', seen);
    document.addEventListener('keydown', keys);
    return () => {
      document.removeEventListener('visibilitychange', seen);
      document.removeEventListener('keydown', keys);
    };
  }, [store]);

  useEffect(() => {
    if (store.connection.state === 'closed') onLeave(store.fatal ? describeDisconnect(store.fatal) : undefined);
  }, [store.connection.state]);

  const select = (key: string) => {
    store.activate(key);
    setNavOpen(false);
    document.getElementById('message-input')?.focus();
  };

  return (
    <div class={`layout${navOpen ? ' nav-open' : ''}${membersOpen ? ' members-open' : ''}`} data-e2e={store.e2e.status}>
      <nav id="sidebar" class="sidebar" aria-label={t('nav.conversations')}>
        <Sidebar store={store} onSelect={select} onSignOut={onSignOut} />
      </nav>
      <main class="main">
        <header class="topbar">
          <button type="button" class="icon-button nav-toggle" aria-label={unreadElsewhere ? t('nav.conversationsUnread') : t('nav.conversations')} aria-controls="sidebar" aria-expanded={navOpen} onClick={() => setNavOpen(!navOpen)}>
            <MenuIcon />
            {unreadElsewhere && <span class="unread-dot" />}
          </button>
          <div class="topbar-title">
            <h1>{conv ? <FederatedName name={conv.title} /> : t('app.name')}</h1>
            <div class="topic-row">
              {conv?.kind === 'room' && <p class="topic">{conv.topic || (conv.joined ? t('topic.none') : t('room.notIn'))}</p>}
              {conv?.kind === 'dm' && <p class="topic">{t('topic.dm')}</p>}
              {conv?.kind === 'all' && <p class="topic">{t('topic.all')}</p>}
              {conv && <EncryptionBadge store={store} conv={conv} />}
            </div>
          </div>
          {conv && conv.kind !== 'all' && store.notifier?.allowed && <NotifyLevelSelect store={store} conv={conv} />}
          {conv?.kind === 'room' && <RoomControls store={store} conv={conv} />}
          {conv?.kind === 'room' && (
            <button type="button" class="icon-button members-toggle" aria-label={t('members.title')} aria-controls="members" aria-expanded={membersOpen} onClick={() => setMembersOpen(!membersOpen)}>
              <PeopleIcon />
              <span class="count">{conv.members.length}</span>
            </button>
          )}
        </header>
        <ReconnectBanner store={store} />
        <E2eStatusBanner store={store} onRestart={onRestart} />
        {conv && <IdentityChangedBanner store={store} conv={conv} />}
        {conv ? <MessageList store={store} conv={conv} /> : <EmptyState />}
        <TypingLine store={store} conv={conv} />
        <LiveAnnouncer conv={conv} />
        <Composer store={store} conv={conv} />
      </main>
      {store.panel?.kind === 'bans' && <BansDialog store={store} room={store.panel.room} onClose={() => store.openPanel(undefined)} />}
      {store.panel?.kind === 'devices' && <DevicesDialog store={store} name={store.panel.name} onClose={() => store.openPanel(undefined)} />}
      {conv?.kind === 'room' && (
        <aside id="members" class="members" aria-label={t('members.title')}>
          <MemberList store={store} conv={conv} onOpen={(name) => select(store.dm(name).key)} />
        </aside>
      )}
      <div class="scrim" aria-hidden="true" onClick={() => (setNavOpen(false), setMembersOpen(false))} />
      {store.panel?.kind === 'userinfo' && <UserInfoDialog store={store} name={store.panel.name} onClose={() => store.openPanel(undefined)} />}
      <E2ePanels store={store} onRestart={onRestart} />
    </div>
  );
}

/** The safety number panel of a DM, and the dialog for an identity key that is another device's. */
function E2ePanels({ store, onRestart }: { store: ChatStore; onRestart: RestartE2e }) {
  const panel = store.panel;
  const close = () => store.openPanel(undefined);
  if (panel?.kind === 'identity') return <IdentityDialog store={store} onRestart={onRestart} onClose={close} />;
  const conv = panel?.kind === 'verify' ? store.conversations.get(panel.key) : undefined;
  return conv ? <VerifyDialog store={store} conv={conv} onClose={close} /> : null;
}

function EmptyState() {
  return (
    <div class="empty">
      <h2>{t('empty.title')}</h2>
      <p>{t('empty.hint')}</p>
    </div>
  );
}
