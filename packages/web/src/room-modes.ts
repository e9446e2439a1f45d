import type { RoomModes } from '@parley/protocol';

/** The modes as a person reads them: "invite-only, password" or "none". */
export function describeModes(modes: RoomModes): string {
  const on = [modes.inviteOnly && 'invite-only', modes.password && 'password', modes.moderated && 'moderated', modes.topicLock && 'topic locked'].filter(
    (label): label is string => typeof label === 'string',
  );
  return on.length > 0 ? on.join(', ') : 'none';
}
