import type { CommandLine, ReplyData } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { withReason } from './describe-notice.ts';
import { formatBanEnd } from './format.ts';
import { t } from './i18n/index.ts';

/**
 * What typed commands leave in the conversation, worded as the member menu's dialogs word the
 * same actions (moderation-dialogs.tsx), so `/kick` and the Kick button read alike.
 */
export function moderationSentence(line: CommandLine, data: ReplyData['kick'] | ReplyData['ban']): string {
  const reason = typeof line.args.reason === 'string' ? line.args.reason.trim() : undefined;
  if (line.verb === 'kick') {
    const kick = data as ReplyData['kick'];
    return withReason(kick.room ? t('mod.youKicked', { name: kick.name, room: kick.room }) : t('mod.youDisconnected', { name: kick.name, count: kick.sessions }), reason);
  }
  return banSentence(data as ReplyData['ban'], reason);
}

/** "You banned bob and their address from the server until …: spam", for the dialog and for /ban. */
export function banSentence(ban: ReplyData['ban'], reason: string | undefined): string {
  const from = ban.scope === 'server' ? t('mod.theServer') : ban.scope;
  const until = formatBanEnd(ban.expires);
  const done = ban.addresses.length > 0 ? t('mod.youBannedAddresses', { name: ban.target, from, until, count: ban.addresses.length }) : t('mod.youBanned', { name: ban.target, from, until });
  const said = withReason(done, reason || undefined);
  return ban.skipped.length > 0 ? t('mod.banSkipped', { text: said, list: ban.skipped.join(', ') }) : said;
}

/** `/history [n]`: the open conversation's earlier messages, in place, or a line saying there are none. */
export async function showOlder(store: ChatStore, conv: Conversation, limit: number | undefined): Promise<void> {
  const loaded = conv.history === 'done' ? 0 : await store.loadOlder(conv, limit);
  if (loaded > 0) store.notice(conv, t('history.loaded', { count: loaded }));
  else if (conv.history === 'done') store.notice(conv, conv.kind === 'dm' ? t('history.noneDm', { title: conv.title }) : t('history.noneRoom', { title: conv.title }));
}
