import type { CommandLine, ReplyData } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { formatBanEnd } from './format.ts';

/**
 * What typed commands leave in the conversation, worded as the member menu's dialogs word the
 * same actions (moderation-dialogs.tsx), so `/kick` and the Kick button read alike.
 */
export function moderationSentence(line: CommandLine, data: ReplyData['kick'] | ReplyData['ban']): string {
  const reason = typeof line.args.reason === 'string' && line.args.reason.trim() ? `: ${line.args.reason.trim()}` : '';
  if (line.verb === 'kick') {
    const kick = data as ReplyData['kick'];
    return kick.room ? `You kicked ${kick.name} from ${kick.room}${reason}` : `You disconnected ${kick.name} from the server (${kick.sessions} connection${kick.sessions === 1 ? '' : 's'})${reason}`;
  }
  const ban = data as ReplyData['ban'];
  return banSentence(ban, reason);
}

/** "You banned bob and their address from the server until …: spam", for the dialog and for /ban. */
export function banSentence(ban: ReplyData['ban'], reason: string): string {
  const from = ban.scope === 'server' ? 'the server' : ban.scope;
  const also = ban.addresses.length > 0 ? ` and ${ban.addresses.length === 1 ? 'their address' : `their ${ban.addresses.length} addresses`}` : '';
  const skipped = ban.skipped.length > 0 ? ` (not ${ban.skipped.join(', ')}: exempt, shared by many)` : '';
  return `You banned ${ban.target}${also} from ${from} ${formatBanEnd(ban.expires)}${reason}${skipped}`;
}

/** `/history [n]`: the open conversation's earlier messages, in place, or a line saying there are none. */
export async function showOlder(store: ChatStore, conv: Conversation, limit: number | undefined): Promise<void> {
  const loaded = conv.history === 'done' ? 0 : await store.loadOlder(conv, limit);
  if (loaded > 0) store.notice(conv, `Loaded ${loaded} earlier message${loaded === 1 ? '' : 's'} (above)`);
  else if (conv.history === 'done') store.notice(conv, `No earlier messages: this is the beginning of ${conv.kind === 'dm' ? `your conversation with ${conv.title}` : conv.title}.`);
}
