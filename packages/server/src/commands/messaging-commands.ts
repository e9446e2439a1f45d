import { replayPages, toChatMessage } from '../chat/messages.ts';
import { resolveConversation, sendMessage } from '../chat/send.ts';
import { escapeText } from '../core/text-lines.ts';
import { ALL_CONVERSATION } from '../store/store.ts';
import type { CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';

const REPLAY_PAGE = 500;
const REPLAY_MAX_PAGES = 10;

export const messagingCommands: CommandFamily<'send' | 'history' | 'resume'> = {
  send: {
    summary: 'Send text to a room ("#room"), one or more users, or ALL online users',
    auth: 'user',
    rate: 'message',
    async handle(ctx, args) {
      const sent = await sendMessage(ctx.server, ctx.session, loggedIn(ctx), args);
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
      const messages = page.map(toChatMessage);
      const lines = messages.map((m) => `HIST ${m.seq} ${new Date(m.ts).toISOString()} ${m.from} ${m.to} ${escapeText(m.text)}`);
      return { data: { conv, messages }, text: [...lines, `OK HISTORY ${label} ${messages.length}`] };
    },
  },
  resume: {
    summary: 'Replay what you missed: {"cursors": {conv: last seq seen}}',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { cursors }) {
      const user = loggedIn(ctx);
      const session = ctx.session;
      const readable = (conv: string) =>
        conv === ALL_CONVERSATION || user.rooms.has(conv) || (conv.startsWith('dm:') && conv.split(':').slice(1).includes(user.id));
      const entries = Object.entries(cursors);
      const refused = entries.filter(([conv]) => !readable(conv)).map(([conv]) => conv);
      let replayed = 0;
      const more: string[] = [];
      await session.withLiveMessagesHeld(async () => {
        for (const [conv, cursor] of entries) {
          if (!readable(conv)) continue;
          session.advanceCursor(conv, cursor);
          const result = await replayPages(
            session,
            () => ctx.server.store.history(conv, { after: session.cursors.get(conv) ?? cursor, limit: REPLAY_PAGE }),
            () => undefined,
            REPLAY_MAX_PAGES,
          );
          replayed += result.delivered;
          if (result.more) more.push(conv);
        }
      });
      return { data: { replayed, more, refused }, text: `OK RESUME ${replayed}` };
    },
  },
};
