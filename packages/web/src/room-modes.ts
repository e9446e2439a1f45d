import type { RoomModes } from '@parley/protocol';
import { t, type MessageKey } from './i18n/index.ts';

/** The modes as a person reads them: "invite-only, password" or "none". */
export function describeModes(modes: RoomModes): string {
  const on: MessageKey[] = [];
  if (modes.inviteOnly) on.push('mode.inviteOnly');
  if (modes.password) on.push('mode.password');
  if (modes.moderated) on.push('mode.moderated');
  if (modes.topicLock) on.push('mode.topicLocked');
  if (modes.encrypted) on.push('mode.encrypted');
  return on.length > 0 ? on.map((key) => t(key)).join(', ') : t('mode.none');
}
