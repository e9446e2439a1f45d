import type { ClientMessage, ParleyClient } from '@parley/client';
import type { ChatMessage } from '@parley/protocol';
import { sameName, type Conversation, type Line } from './conversations.ts';

/**
 * The commands about messages already sent (docs/tui.md, "Edits, replies and reactions"):
 * /edit, /delete, /reply, /react, /unreact, /search, /unread. A message is named by its number,
 * the dim seq before its time; without one, "the last message" (my last for /edit and /delete,
 * anyone's last for /reply and /react).
 */

/**
 * The SDK's methods for these verbs (docs/client.md, "Edits, reactions, typing and read state"),
 * which go through the encryption where a send would. Called when the client has them; the
 * plaintext verbs otherwise.
 */
interface MessageVerbs {
  edit?(to: string, seq: number, text: string): Promise<unknown>;
  redact?(to: string, seq: number, reason?: string): Promise<unknown>;
  react?(to: string, seq: number, emoji: string): Promise<unknown>;
  unreact?(to: string, seq: number, emoji: string): Promise<unknown>;
  typing?(to: string, on?: boolean): Promise<void>;
  markRead?(to: string, seq: number): Promise<unknown>;
  search?(words: string): Promise<ChatMessage[]>;
}
interface ArchiveSearcher {
  search?(words: string): Promise<ClientMessage[]>;
}

/** The verbs, through the SDK's methods when it has them. */
export function messageVerbs(client: ParleyClient) {
  const sdk = client as unknown as MessageVerbs;
  return {
    edit: (to: string, seq: number, text: string) => (sdk.edit ? sdk.edit(to, seq, text) : client.request('edit', { to, seq, text })),
    redact: (to: string, seq: number) => (sdk.redact ? sdk.redact(to, seq) : client.request('redact', { to, seq })),
    react: (to: string, seq: number, emoji: string) => (sdk.react ? sdk.react(to, seq, emoji) : client.request('react', { to, seq, emoji })),
    unreact: (to: string, seq: number, emoji: string) => (sdk.unreact ? sdk.unreact(to, seq, emoji) : client.request('react', { to, seq, emoji, remove: true })),
    typing: async (to: string, on: boolean) => {
      if (client.state !== 'connected') return;
      await (sdk.typing ? sdk.typing(to, on) : client.request('typing', { to, on }));
    },
    markRead: (to: string, seq: number) => (sdk.markRead ? sdk.markRead(to, seq) : client.request('read', { to, seq })),
    unread: async () => (await client.request('unread', {})).conversations,
    search: async (words: string) => (sdk.search ? sdk.search(words) : (await client.request('search', { words })).results),
    /** This device's encrypted conversations, when the SDK can search them (undefined: it cannot). */
    searchArchive: (() => {
      const archive = client.e2e as unknown as ArchiveSearcher | undefined;
      return archive?.search ? (words: string) => archive.search!(words) : undefined;
    })(),
  };
}

/** A command's message number and the rest of its arguments. */
export interface Handle {
  seq: number | undefined;
  rest: string;
}

/** "12 text" → 12 and "text"; "text" alone → no number (the last message). */
export function parseHandle(args: string): Handle {
  const trimmed = args.trim();
  const match = /^(\d+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (match) return { seq: Number(match[1]), rest: (match[2] ?? '').trim() };
  return { seq: undefined, rest: trimmed };
}

const stored = (line: Line) => line.kind === 'message' && line.seq !== undefined && line.seq > 0 && !line.redacted;

/** The newest stored message in the conversation: mine (`mine`), or anyone's. */
export function lastMessage(conv: Pick<Conversation, 'lines'>, me: string, mine: boolean): Line | undefined {
  return conv.lines.findLast((line) => stored(line) && (!mine || sameName(line.from ?? '', me)));
}

/** The message a handle names: its number, else the last one (mine or anyone's); undefined when there is none. */
export function resolveHandle(conv: Pick<Conversation, 'lines'>, handle: Handle, options: { me: string; mine: boolean }): number | undefined {
  return handle.seq ?? lastMessage(conv, options.me, options.mine)?.seq;
}

/** One search result as a line of the results: "#dev 12 alice: text". */
export function searchResultText(message: Pick<ChatMessage, 'to' | 'from' | 'seq' | 'text'>, me: string): string {
  const where = message.to.startsWith('#') || message.to === 'ALL' ? message.to : sameName(message.from, me) ? `@${message.to}` : `@${message.from}`;
  const first = message.text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  return `${where} ${message.seq} ${message.from}: ${first}`;
}
