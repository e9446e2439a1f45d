import type { RoomModes } from '@parley/protocol';

/** A room's modes in an OK line: the MODE flags ("invite_only topic_lock"). */
export function modesText(modes: RoomModes): string {
  const flags = [modes.inviteOnly && 'invite_only', modes.password && 'password', modes.moderated && 'moderated', modes.topicLock && 'topic_lock', modes.encrypted && 'encrypted'].filter(Boolean);
  return flags.length > 0 ? flags.join(' ') : 'none';
}

/** The modes as people read them in a notice: "invite-only, topic locked" (the OK line keeps the words above). */
export function modesSentence(modes: RoomModes): string {
  const words = [modes.inviteOnly && 'invite-only', modes.password && 'password', modes.moderated && 'moderated', modes.topicLock && 'topic locked', modes.encrypted && 'end-to-end encrypted'].filter(Boolean);
  return words.length > 0 ? words.join(', ') : 'none';
}
