import { isRoomTarget } from '@parley/protocol';
import { editMessage, reactToMessage, redactMessage } from '../chat/message-changes.ts';
import { markRead, unreadState } from '../chat/read-state.ts';
import { sendTyping } from '../chat/typing.ts';
import { searchMessages } from '../chat/search.ts';
import { lineText } from '../core/text-lines.ts';
import type { CommandFamily } from './command.ts';
import { actorOf } from './command.ts';

/**
 * What people do to messages after sending them, and what they have read (docs/protocol.md,
 * "Edits, reactions, typing and read state"). Edits and reactions count against the message
 * budget like sends; typing has its own (messages.typing_per_minute).
 */
export const messageChangeCommands: CommandFamily<'edit' | 'redact' | 'react' | 'typing' | 'read' | 'unread' | 'search'> = {
  edit: {
    summary: 'Edit one of your messages: {"to", "seq", "text"}',
    auth: 'user',
    rate: 'message',
    async handle(ctx, args) {
      const data = await editMessage(actorOf(ctx), args);
      return { data, text: `OK EDIT ${data.to}:${data.seq} ${data.ref}` };
    },
  },
  redact: {
    summary: "Delete a message: your own, or anyone's in a room you moderate",
    auth: 'user',
    rate: 'message',
    async handle(ctx, args) {
      const data = await redactMessage(actorOf(ctx), args);
      return { data, text: `OK REDACT ${data.to}:${data.seq} ${data.ref}` };
    },
  },
  react: {
    summary: 'React to a message with an emoji (remove: take it back)',
    auth: 'user',
    rate: 'message',
    async handle(ctx, args) {
      const data = await reactToMessage(actorOf(ctx), args);
      return { data, text: `OK ${args.remove ? 'UNREACT' : 'REACT'} ${data.to}:${data.seq} ${data.ref}` };
    },
  },
  typing: {
    summary: 'Say you are typing in a conversation (on, the default), or stopped',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { to, on }) {
      const data = await sendTyping(actorOf(ctx), to, on ?? true);
      return { data, text: `OK TYPING ${to}` };
    },
  },
  read: {
    summary: 'Mark a conversation read up to a seq (your other devices follow)',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { to, seq }) {
      const data = await markRead(actorOf(ctx), to, seq);
      if (isRoomTarget(to)) ctx.session.enteredRoom({ key: data.conv, name: to });
      return { data, text: `OK READ ${to} ${data.seq}` };
    },
  },
  unread: {
    summary: 'Your read position and unread count in each conversation',
    auth: 'user',
    rate: 'none',
    async handle(ctx) {
      const data = await unreadState(actorOf(ctx));
      const lines = data.conversations.map((c) => `UNREAD ${c.with} ${c.unread} ${c.read} ${c.last}`);
      return { data, text: [...lines, `OK UNREAD ${data.conversations.length}`] };
    },
  },
  search: {
    summary: 'Search what you may read: {"words", "in"?, "from"?, "after"?, "before"?}',
    auth: 'user',
    rate: 'none',
    async handle(ctx, args) {
      const data = await searchMessages(actorOf(ctx), args);
      const lines = data.results.map((m) => `FOUND ${m.conv} ${m.seq} ${new Date(m.ts).toISOString()} ${m.from} ${m.to} ${lineText(m)}`);
      return { data, text: [...lines, `OK SEARCH ${data.results.length}`] };
    },
  },
};
