import { isRoomTarget, type ChatMessage } from '@parley/protocol';
import { checkCanSpeak } from '../moderation/room-policy.ts';
import { replayPages } from '../chat/messages.ts';
import { foldPage } from '../chat/message-fold.ts';
import { resolveConversation, sendMessage } from '../chat/send.ts';
import { lineText } from '../core/text-lines.ts';
import { ALL_CONVERSATION } from '../store/store.ts';
import type { CommandContext, CommandFamily } from './command.ts';
import { actorOf, loggedIn } from './command.ts';

const REPLAY_PAGE = 500;
const REPLAY_MAX_PAGES = 10;
/** Generous per-message envelope (names, conv, seq, timestamp, framing) for reply budgets. */
const MESSAGE_OVERHEAD_BYTES = 256;

export const messagingCommands: CommandFamily<'send' | 'history' | 'resume'> = {
  send: {
    summary: 'Send text to a room ("#room"), one or more users, or ALL online users',
    auth: 'user',
    rate: 'message',
    async handle(ctx, args) {
      const actor = actorOf(ctx);
      // Mutes and moderated rooms, before send.ts resolves and stores anything (all or nothing).
      for (const target of Array.isArray(args.to) ? args.to : [args.to]) {
        const room = isRoomTarget(target) ? ctx.server.rooms.find(target) : undefined;
        if (room) checkCanSpeak(actor, room);
      }
      const sent = await sendMessage(actor, args);
      const room = sent.find((receipt) => isRoomTarget(receipt.to));
      if (room) ctx.session.enteredRoom({ key: room.conv, name: room.to });
      return {
        data: { sent },
        text: `OK SEND ${sent.map((s) => `${s.to}:${s.seq}${s.duplicate ? '(dup)' : ''}`).join(' ')}`,
      };
    },
  },
  history: {
    summary: 'Page through a conversation (a room, a user you talk with, or ALL)',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { with: target, before, after, limit }) {
      const user = loggedIn(ctx);
      const { conv, label } = await resolveConversation(ctx.server, user, target);
      const page = await ctx.server.store.history(conv, {
        ...(before === undefined ? {} : { before }),
        ...(after === undefined ? {} : { after }),
        limit: limit ?? ctx.server.config.history.page_size,
      });
      // Each message in its current version (edits, redactions, reactions folded in: chat/message-fold.ts).
      const messages = fitInBudget(await foldPage(ctx.server, conv, page), ctx.server.config.limits.outbound_queue_bytes / 4, after !== undefined);
      const wait = ctx.session.whenWritable();
      if (wait) await wait;
      const lines = messages.map((m) => `HIST ${m.seq} ${new Date(m.ts).toISOString()} ${m.from} ${m.to} ${lineText(m)}`);
      return { data: { conv, messages }, text: [...lines, `OK HISTORY ${label} ${messages.length}`] };
    },
  },
  resume: {
    summary: 'Replay what you missed: {"cursors": {conv: last seq seen}}',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { cursors }) {
      const user = loggedIn(ctx);
      const readable = (conv: string) =>
        conv === ALL_CONVERSATION || user.rooms.has(conv) || (conv.startsWith('dm:') && conv.split(':').slice(1).includes(user.id));
      const entries = Object.entries(cursors);
      const refused = entries.filter(([conv]) => !readable(conv)).map(([conv]) => conv);
      let replayed = 0;
      const more: string[] = [];
      await ctx.session.withLiveMessagesHeld(async () => {
        for (const [conv, cursor] of entries) {
          if (!readable(conv)) continue;
          const result = await resumeConversation(ctx, conv, cursor);
          replayed += result.delivered;
          if (result.more) more.push(conv);
        }
      });
      return { data: { replayed, more, refused }, text: `OK RESUME ${replayed}` };
    },
  },
};

/**
 * A page must fit the outbound queue with room to spare, however large its messages are. When
 * it does not, it keeps the messages nearest the cursor the client is paging from (the oldest
 * when paging forward, the newest otherwise); the client pages on from there.
 */
function fitInBudget(messages: ChatMessage[], budgetBytes: number, keepOldest: boolean): ChatMessage[] {
  const ordered = keepOldest ? messages : [...messages].reverse();
  let used = 0;
  let kept = 0;
  for (const message of ordered) {
    used += Buffer.byteLength(message.text) + MESSAGE_OVERHEAD_BYTES;
    if (used > budgetBytes && kept > 0) break;
    kept += 1;
  }
  if (kept === messages.length) return messages;
  return keepOldest ? messages.slice(0, kept) : messages.slice(messages.length - kept);
}

/**
 * Replays one conversation after the client's cursor: every stored message above it that this
 * connection has not had (live messages that reached it before the resume, and its own sends,
 * are skipped; the gaps between them are filled), at most REPLAY_MAX_PAGES pages per call.
 */
async function resumeConversation({ server, session }: CommandContext, conv: string, cursor: number): Promise<{ delivered: number; more: boolean }> {
  let delivered = 0;
  let pages = REPLAY_MAX_PAGES;
  for (const gap of session.resumeFrom(conv, cursor)) {
    let after = gap.from - 1;
    const result = await replayPages(session, {
      readPage: () => server.store.history(conv, { after, ...(gap.to === undefined ? {} : { before: gap.to + 1 }), limit: REPLAY_PAGE }),
      pageDone: (page) => void (after = page.at(-1)!.seq),
      maxPages: pages,
    });
    delivered += result.delivered;
    pages -= result.pages;
    if (result.more) return { delivered, more: true };
  }
  return { delivered, more: false };
}
