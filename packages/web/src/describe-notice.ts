import type { RoomModes } from '@parley/protocol';
import { t, type MessageKey } from './i18n/index.ts';
import { describeModes } from './room-modes.ts';

/**
 * A server `notice` as the SDK hands it: its text, and on newer servers what it is about
 * (`kind`, `room`, `by`, `reason`). The fields are read when present; older servers send the
 * text alone, which is then read with the patterns below.
 */
export interface NoticeEvent {
  text: string;
  kind?: string | undefined;
  room?: string | undefined;
  by?: string | undefined;
  reason?: string | undefined;
  /** With kind `mode`: the room's modes after the change. */
  modes?: RoomModes | undefined;
}

/** What the conversation shows: a sentence in the reader's language, and the room an invitation offers. */
export interface DescribedNotice {
  text: string;
  join?: string;
}

/**
 * The texts of docs/protocol.md's moderation notices, which carry no structure on older
 * servers (moderation-commands.ts, room-mode-commands.ts). Anything else (the MOTD, an operator's
 * broadcast) is shown as the server wrote it.
 */
const PATTERNS: [RegExp, (m: RegExpExecArray) => DescribedNotice][] = [
  [/^(\S+) invited you to (#\S+)(?:: JOIN #\S+)?$/, (m) => invite(m[1]!, m[2]!)],
  [/^(\S+) muted you in (#\S+)(?:: (.*))?$/s, (m) => ({ text: withReason(t('notice.mutedYou', { by: m[1]!, room: m[2]! }), m[3]) })],
  [/^(\S+) unmuted you in (#\S+)$/, (m) => ({ text: t('notice.unmutedYou', { by: m[1]!, room: m[2]! }) })],
  [/^(\S+) made you (member|moderator|owner) of (#\S+)$/, (m) => ({ text: t('notice.roleYou', { by: m[1]!, role: roleName(m[2]!), room: m[3]! }) })],
  [/^(\S+) set the modes of (#\S+): (.*)$/, (m) => ({ text: t('notice.modes', { by: m[1]!, room: m[2]!, modes: modeWords(m[3]!.includes('_') ? m[3]!.split(/\s+/) : m[3]!.split(/,\s*/)) }) })],
];

export function describeNotice(notice: NoticeEvent): DescribedNotice {
  const { kind, room, by } = notice;
  if (room && by) {
    if (kind === 'invite') return invite(by, room);
    if (kind === 'mute') return { text: withReason(t('notice.mutedYou', { by, room }), notice.reason) };
    if (kind === 'unmute') return { text: t('notice.unmutedYou', { by, room }) };
    if (kind === 'mode' && notice.modes) return { text: t('notice.modes', { by, room, modes: describeModes(notice.modes) }) };
  }
  for (const [pattern, describe] of PATTERNS) {
    const match = pattern.exec(notice.text);
    if (match) return describe(match);
  }
  return { text: notice.text };
}

const invite = (by: string, room: string): DescribedNotice => ({ text: t('notice.invitedYou', { by, room }), join: room });

/** "You muted sam in #den" with its reason after a colon, as the server's own notices write it. */
export const withReason = (text: string, reason: string | undefined): string => (reason ? t('notice.withReason', { text, reason }) : text);

const ROLES: Readonly<Record<string, MessageKey>> = { member: 'role.member', moderator: 'role.moderator', owner: 'role.owner' };
export const roleName = (role: string): string => {
  const key = ROLES[role];
  return key ? t(key) : role;
};

/** The server's mode words (`invite_only topic_lock` from the OK line, `invite-only, topic locked` from a notice, or `none`) as the settings dialog names them. */
const MODES: Readonly<Record<string, MessageKey>> = {
  invite_only: 'mode.inviteOnly',
  password: 'mode.password',
  moderated: 'mode.moderated',
  topic_lock: 'mode.topicLocked',
  encrypted: 'mode.encrypted',
  none: 'mode.none',
  // The notice's own words since it became a sentence.
  'invite-only': 'mode.inviteOnly',
  'topic locked': 'mode.topicLocked',
  'end-to-end encrypted': 'mode.encrypted',
};
export function modeWords(words: readonly string[]): string {
  const named = words.filter(Boolean).map((word) => {
    const key = MODES[word];
    return key ? t(key) : word.replace(/_/g, ' ');
  });
  return named.length > 0 ? named.join(', ') : t('mode.none');
}
