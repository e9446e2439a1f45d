/** @jsxImportSource preact */
import { useId, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { nameColor } from './format.ts';
import { CloseConversation } from './close-conversation.tsx';
import { describeError } from './describe-error.ts';
import { EncryptionDescription, EncryptionIcon } from './e2e-indicator.tsx';
import { FederatedName } from './federated-name.tsx';
import { t } from './i18n/index.ts';
import { BroadcastIcon, HashIcon, PlusIcon } from './icons.tsx';
import { presenceShown } from './presence.ts';
import { shortServerName } from './server-addresses.ts';

/** The node in use; with several addresses, also which of them, so a failover is visible here. */
function serverShown(store: ChatStore): string {
  const all = store.client.servers.all;
  const current = store.server ?? store.client.url.href;
  const host = shortServerName(current);
  if (all.length < 2) return host;
  const index = all.findIndex((url) => url.href === current) + 1;
  return index === 0 ? host : `${host} (${t('sidebar.nodeOf', { index, count: all.length })})`;
}

/**
 * `/join` makes a room that does not exist, plain; an encrypted one is made with `create`
 * (`encrypted: true`), which fails with ROOM_EXISTS rather than joining someone else's room
 * under that name. A refusal shows where the person is, as a typed command's would.
 */
async function joinOrCreate(store: ChatStore, name: string, encrypted: boolean): Promise<void> {
  if (!encrypted) return store.submit(`/join ${name}`);
  try {
    store.entered(await store.client.request('create', { room: name, encrypted: true }));
  } catch (error) {
    store.notice(store.active ?? store.everyone(), describeError(error), 'error');
  }
}

export function Sidebar({ store, onSelect, onSignOut }: { store: ChatStore; onSelect: (key: string) => void; onSignOut: () => void }) {
  const all = store.sortedConversations();
  const rooms = all.filter((c) => c.kind !== 'dm');
  const dms = all.filter((c) => c.kind === 'dm');
  const myStatus = presenceShown(store, store.away ? 'away' : 'online');
  const host = serverShown(store);
  return (
    <div class="sidebar-inner">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          P
        </span>
        <div>
          <div class="brand-name">{t('app.name')}</div>
          <div class="brand-host">{host}</div>
        </div>
      </div>
      <div class="sidebar-scroll">
        <Section
          title={t('sidebar.rooms')}
          addLabel={t('sidebar.joinRoom')}
          placeholder={t('sidebar.roomPlaceholder')}
          onAdd={(value, encrypted) => joinOrCreate(store, value, encrypted)}
          // Only where this tab encrypts: a room made here that this tab could not write in would help nobody.
          option={store.e2e.active ? t('sidebar.createEncrypted') : undefined}
          items={rooms}
          store={store}
          onSelect={onSelect}
        />
        <Section
          title={t('sidebar.dms')}
          addLabel={t('sidebar.newDm')}
          placeholder={t('sidebar.dmPlaceholder')}
          onAdd={(value) => {
            onSelect(store.dm(value.replace(/^@/, '')).key);
            return Promise.resolve();
          }}
          items={dms}
          store={store}
          onSelect={onSelect}
          empty={t('sidebar.dmEmpty')}
        />
      </div>
      <div class="me">
        <div class="me-row">
          <span class={`avatar nc-${nameColor(store.me)}`} aria-hidden="true">
            {store.me.slice(0, 1).toUpperCase()}
            <span class={`dot ${myStatus}`} />
          </span>
          <div class="me-text">
            <div class="me-name">{store.me}</div>
            <div class="me-status">
              {t(`me.${myStatus}`)} · {store.kind === 'account' ? t('sidebar.account') : t('sidebar.guest')}
            </div>
          </div>
        </div>
        <div class="me-actions">
          <button type="button" class="ghost small" onClick={() => void store.setAway(!store.away)}>
            {store.away ? t('sidebar.setOnline') : t('sidebar.setAway')}
          </button>
          {store.notifier?.askable && (
            <button type="button" class="ghost small" onClick={() => void store.notifier?.ask().then(() => store.changed())}>
              {t('notify.enable')}
            </button>
          )}
          <button type="button" class="ghost small" onClick={onSignOut}>
            {t('sidebar.signOut')}
          </button>
        </div>
      </div>
    </div>
  );
}

interface SectionProps {
  title: string;
  addLabel: string;
  placeholder: string;
  /** `option`: whether the form's checkbox was ticked. */
  onAdd: (value: string, option: boolean) => Promise<void>;
  /** The label of a checkbox under the name field, if the form has one. */
  option?: string | undefined;
  items: Conversation[];
  store: ChatStore;
  onSelect: (key: string) => void;
  empty?: string;
}

function Section({ title, addLabel, placeholder, onAdd, option, items, store, onSelect, empty }: SectionProps) {
  const [adding, setAdding] = useState(false);
  const [value, setValue] = useState('');
  const [ticked, setTicked] = useState(false);
  const id = useId();
  const submit = (event: Event) => {
    event.preventDefault();
    const text = value.trim();
    if (!text) return;
    setValue('');
    setAdding(false);
    setTicked(false);
    void onAdd(text, option !== undefined && ticked);
  };
  const escape = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setAdding(false);
    }
  };
  return (
    <section class="section" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{title}</h2>
        <button type="button" class="icon-button tiny" aria-label={addLabel} aria-expanded={adding} onClick={() => setAdding(!adding)}>
          <PlusIcon />
        </button>
      </div>
      {adding && (
        <form class="add-form" onSubmit={submit}>
          <input
            type="text"
            aria-label={addLabel}
            placeholder={placeholder}
            value={value}
            autofocus
            autocapitalize="off"
            spellcheck={false}
            onInput={(e) => setValue(e.currentTarget.value)}
            onKeyDown={escape}
          />
          {option !== undefined && (
            <label class="check add-option">
              <input type="checkbox" checked={ticked} onChange={(e) => setTicked(e.currentTarget.checked)} onKeyDown={escape} />
              <span>{option}</span>
            </label>
          )}
        </form>
      )}
      <ul class="conv-list">
        {items.map((conv) => {
          const active = conv.key === store.activeKey;
          const status = conv.kind === 'dm' ? presenceShown(store, [...store.conversations.values()].some((c) => c.hasMember(conv.target)) ? 'online' : 'offline') : 'offline';
          const encryption = store.e2e.shown(conv);
          const describedBy = `${id}-e2e-${conv.key}`;
          const changed = encryption === 'encrypted' && conv.e2e.verification === 'changed';
          return (
            <li key={conv.key} class={conv.kind === 'dm' ? 'conv-item closable' : 'conv-item'}>
              <button
                type="button"
                class={`conv${active ? ' active' : ''}${conv.unread > 0 ? ' has-unread' : ''}${conv.joined ? '' : ' left'}`}
                aria-current={active ? 'page' : undefined}
                aria-describedby={describedBy}
                data-encryption={encryption}
                onClick={() => onSelect(conv.key)}
              >
                {conv.kind === 'room' && <HashIcon />}
                {conv.kind === 'all' && <BroadcastIcon />}
                {conv.kind === 'dm' && (
                  <span class={`avatar tiny nc-${nameColor(conv.target)}`} aria-hidden="true">
                    {conv.target.slice(0, 1).toUpperCase()}
                    <span class={`dot ${status}`} />
                  </span>
                )}
                <span class="conv-name">
                  <FederatedName name={conv.kind === 'room' ? conv.target.replace(/^#/, '') : conv.title} />
                </span>
                <EncryptionIcon shown={encryption} changed={changed} />
                {conv.unread > 0 && (
                  <span class="badge">
                    {conv.unread > 99 ? '99+' : conv.unread}
                    <span class="sr-only"> {t('sidebar.unread')}</span>
                  </span>
                )}
              </button>
              <EncryptionDescription shown={encryption} changed={changed} id={describedBy} />
              {conv.kind === 'dm' && <CloseConversation store={store} conv={conv} />}
            </li>
          );
        })}
      </ul>
      {items.length === 0 && empty && <p class="section-empty">{empty}</p>}
    </section>
  );
}
