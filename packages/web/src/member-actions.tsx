/** @jsxImportSource preact */
import type { JSX } from 'preact';
import { foldName } from '@parley/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { BanDialog, KickDialog, RoomBanDialog, UserInfoDialog, type ActionProps } from './moderation-dialogs.tsx';
import { MuteDialog, RoomRoleDialog, UnmuteDialog } from './room-moderation-dialogs.tsx';
import { t } from './i18n/index.ts';
import { usePermissions } from './use-permissions.ts';

type Action = 'info' | 'kick' | 'mute' | 'unmute' | 'role' | 'room-ban' | 'ban';

const DIALOGS: Record<Exclude<Action, 'info'>, (props: ActionProps) => JSX.Element> = {
  kick: KickDialog,
  mute: MuteDialog,
  unmute: UnmuteDialog,
  role: RoomRoleDialog,
  'room-ban': RoomBanDialog,
  ban: BanDialog,
};

/** Items that cannot hurt anyone are not drawn in the danger color. */
const HARMLESS: ReadonlySet<Action> = new Set(['info', 'unmute', 'role']);

/**
 * The actions menu of one member row: a menu button ("Actions for bob") opening
 * "User info" for everyone; room moderation (kick, mute or unmute, room ban; the room role for its
 * owners) when the user's role allows it in this room; and the server ban for operators. Arrow
 * keys move through the items, Escape closes it and gives focus back to the button.
 */
export function MemberActions({ store, conv, name }: { store: ChatStore; conv: Conversation; name: string }) {
  const permissions = usePermissions(store);
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<Action>();
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menuId = `actions-${conv.key}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');

  const moderates = permissions.canModerate(conv.target);
  const items: [Action, string][] = [['info', t('actions.info')]];
  // `who` tells moderators who is muted, so the menu offers the one that applies.
  const muted = conv.members.some((m) => m.muted && foldName(m.name) === foldName(name));
  if (moderates) items.push(['kick', t('actions.kick')], muted ? ['unmute', t('actions.unmute')] : ['mute', t('actions.mute')]);
  if (permissions.canSetRoles(conv.target)) items.push(['role', t('actions.role')]);
  if (moderates) items.push(['room-ban', t('actions.roomBan', { room: conv.target })]);
  if (permissions.canBan) items.push(['ban', t('actions.ban')]);

  const close = (focusTrigger: boolean) => {
    setOpen(false);
    if (focusTrigger) trigger.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    permissions.refresh();
    root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const onMenuKey = (event: KeyboardEvent) => {
    const buttons = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => buttons[(to + buttons.length) % buttons.length]?.focus();
    if (event.key === 'Escape') {
      // Not the layout's Escape as well (it would close the member drawer around this menu).
      event.stopPropagation();
      close(true);
    } else if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(buttons.length - 1);
    else if (event.key === 'Tab') setOpen(false);
    else return;
    event.preventDefault();
  };

  const choose = (action: Action) => {
    setOpen(false);
    // The menu item goes with the menu: the dialog's opener, which gets the focus back when it
    // closes (modal.tsx), is the button the menu belongs to. Focusing it once the dialog is open
    // would do nothing: a modal dialog makes the rest of the page inert.
    trigger.current?.focus();
    setDialog(action);
  };
  const done = () => setDialog(undefined);

  const Dialog = dialog === undefined || dialog === 'info' ? undefined : DIALOGS[dialog];

  return (
    <div class="member-actions" ref={root}>
      <button
        type="button"
        ref={trigger}
        class="icon-button tiny member-actions-button"
        aria-label={t('actions.for', { name })}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(event) => {
          // Escape pressed before focus has moved into the menu closes it too.
          if (open && event.key === 'Escape') {
            event.stopPropagation();
            event.preventDefault();
            close(true);
          }
        }}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <ul class="menu" role="menu" id={menuId} aria-label={t('actions.for', { name })} onKeyDown={onMenuKey}>
          {items.map(([action, label]) => (
            <li key={action} role="none">
              <button type="button" role="menuitem" tabIndex={-1} class={HARMLESS.has(action) ? 'menu-item' : 'menu-item danger'} onClick={() => choose(action)}>
                {label}
              </button>
            </li>
          ))}
        </ul>
      )}
      {dialog === 'info' && <UserInfoDialog store={store} name={name} onClose={done} />}
      {Dialog && <Dialog store={store} conv={conv} name={name} onClose={done} />}
    </div>
  );
}
