import type { ClientEvents } from '@parley/client';
import { foldName } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import { describeError } from './describe-error.ts';
import { describeNotice } from './describe-notice.ts';
import { t } from './i18n/index.ts';

/**
 * A notice about a room (a mute, a role) goes to that room; others to the open conversation.
 * An invitation goes where the person is looking, with its Join button: the room it names is
 * one they are not in.
 */
export function showNotice(store: ChatStore, notice: ClientEvents['notice']): void {
  const conv = notice.room ? store.conversations.get(`room:${foldName(notice.room)}`) : undefined;
  if (conv && notice.kind === 'mute') conv.muted = { ...(notice.by ? { by: notice.by } : {}), ...(notice.reason ? { reason: notice.reason } : {}) };
  if (conv && notice.kind === 'unmute') conv.muted = undefined;
  const { text, join } = describeNotice(notice);
  if (join !== undefined) store.invitation(store.active ?? store.everyone(), text, join);
  else if (conv) store.notice(conv, text, notice.kind === 'mute' ? 'error' : 'info');
  else store.noticeActive(text);
}

/** After a reconnect the server refused us a room we were in: it stays readable, marked as left, with the reason. */
export function showRoomLost(store: ChatStore, { room, error }: ClientEvents['room_lost']): void {
  const conv = store.room(room);
  conv.joined = false;
  conv.members = [];
  const text = t('store.roomLost', { room, reason: describeError(error) });
  store.notice(conv, text, 'error');
  if (store.activeKey !== conv.key) store.noticeActive(text, 'error');
}
