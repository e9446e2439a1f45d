import { CONVERSATIONS_MAX } from '@parley/protocol';
import { listDirectConversations } from '../chat/direct-conversations.ts';
import type { CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';

export const conversationCommands: CommandFamily<'conversations'> = {
  conversations: {
    summary: 'List your direct conversations, newest first (a new device shows them before anyone writes)',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { limit }) {
      // A guest's id is new at every login, so a guest sees this connection's conversations only.
      const conversations = await listDirectConversations(ctx.server, loggedIn(ctx), limit ?? CONVERSATIONS_MAX);
      const lines = conversations.map((c) => `CONV ${c.with} ${c.conv} ${c.lastSeq} ${new Date(c.lastTs).toISOString()}`);
      return { data: { conversations }, text: [...lines, `OK CONVERSATIONS ${conversations.length}`] };
    },
  },
};
