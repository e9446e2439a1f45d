import type { ParleyClient } from '@parley/client';
import type { ReplyData } from '@parley/protocol';
import { oneLine } from './chat-format.ts';
import { OPERATOR_COMMANDS, formatOperatorReply, parseOperatorCommand, type OperatorVerb } from './operator-commands.ts';

export interface ChatContext {
  client: ParleyClient;
  room: string | undefined;
  out(line: string): void;
  status(line: string): void;
  /** Optional hooks for a client that keeps views per room (the terminal UI). */
  joined?(room: ReplyData['join']): void;
  left?(room: string): void;
  renamed?(name: string): void;
}

/** "/join #dev" -> { name: 'join', args: ' #dev' }; undefined for a line that is not a command. */
export function parseSlash(line: string): { name: string; args: string } | undefined {
  if (!line.startsWith('/')) return undefined;
  const name = line.slice(1).split(/\s+/)[0]!.toLowerCase();
  return { name, args: line.slice(name.length + 1) };
}

type SlashHandler = (ctx: ChatContext, args: string) => Promise<'quit' | void>;

const firstWord = (args: string) => args.trim().split(/\s+/)[0] ?? '';
const afterFirstWord = (args: string) => args.trim().replace(/^\S+\s*/, '');

function needRoom(ctx: ChatContext, given: string): string {
  const room = given || ctx.room;
  if (!room) throw new Error('No current room: /join #room first');
  return room;
}

/** Sends an operator command; the server checks the role and answers FORBIDDEN when it is missing. */
function operator(name: string): SlashHandler {
  return async (ctx, args) => {
    const request = parseOperatorCommand(name, args, ctx.room);
    const send = ctx.client.request.bind(ctx.client) as (verb: OperatorVerb, args: unknown) => Promise<never>;
    const data = await send(request.verb, request.args);
    for (const line of formatOperatorReply(request, data)) ctx.out(`* ${line}`);
  };
}

/** `operator` marks the commands that need a server or room role (help lists them apart). */
export const SLASH_COMMANDS: Record<string, { usage: string; run: SlashHandler; operator?: true }> = {
  join: {
    usage: '/join #room          join (or create) a room and make it current',
    async run(ctx, args) {
      const joined = await ctx.client.join(firstWord(args));
      ctx.room = joined.name;
      ctx.joined?.(joined);
      ctx.status(`joined ${joined.name} (${joined.members} online)${joined.topic ? `, topic: ${joined.topic}` : ''}`);
    },
  },
  leave: {
    usage: '/leave [#room]       leave the current or the given room',
    async run(ctx, args) {
      const room = needRoom(ctx, firstWord(args));
      await ctx.client.part(room);
      if (ctx.room?.toLowerCase() === room.toLowerCase()) ctx.room = undefined;
      ctx.left?.(room);
      ctx.status(`left ${room}`);
    },
  },
  rooms: {
    usage: '/rooms               list rooms',
    async run(ctx) {
      const { rooms } = await ctx.client.request('rooms', {});
      ctx.out(`* rooms: ${rooms.map((r) => `${r.name}(${r.members})`).join(' ')}`);
    },
  },
  who: {
    usage: '/who [#room]         who is in the current or the given room',
    async run(ctx, args) {
      const { room, members } = await ctx.client.request('who', { room: needRoom(ctx, firstWord(args)) });
      ctx.out(`* ${room}: ${members.map((m) => (m.status === 'online' ? m.name : `${m.name}(${m.status})`)).join(' ')}`);
    },
  },
  msg: {
    usage: '/msg name[,name] text   direct message to one or several users',
    async run(ctx, args) {
      const to = firstWord(args).split(',').filter(Boolean);
      await ctx.client.send(to, afterFirstWord(args));
    },
  },
  history: {
    usage: '/history [n]         the last n messages of the current room',
    async run(ctx, args) {
      const limit = Number(firstWord(args) || 20);
      const { messages } = await ctx.client.history(needRoom(ctx, ''), { limit });
      for (const m of messages) ctx.out(`* ${new Date(m.ts).toISOString()} [${m.to}] ${m.from}: ${oneLine(m.text)}`);
    },
  },
  nick: {
    usage: '/nick newname        change your guest name',
    async run(ctx, args) {
      const { name } = await ctx.client.request('nick', { name: firstWord(args) });
      ctx.renamed?.(name);
      ctx.status(`you are now ${name}`);
    },
  },
  topic: {
    usage: '/topic [text]        show or set the current room topic',
    async run(ctx, args) {
      const text = args.trim();
      const { room, topic } = await ctx.client.request('topic', { room: needRoom(ctx, ''), ...(text ? { topic: text } : {}) });
      ctx.out(`* ${room} topic: ${topic}`);
    },
  },
  help: {
    usage: '/help                this list',
    async run(ctx) {
      for (const command of Object.values(SLASH_COMMANDS)) if (!command.operator) ctx.out(`* ${command.usage}`);
      ctx.out('* anything else is sent to the current room');
      ctx.out('* operator commands (need a server role, or a room role for that room):');
      for (const command of Object.values(SLASH_COMMANDS)) if (command.operator) ctx.out(`* ${command.usage}`);
    },
  },
  quit: {
    usage: '/quit                leave (after pending messages are delivered)',
    async run() {
      return 'quit';
    },
  },
  ...Object.fromEntries(Object.entries(OPERATOR_COMMANDS).map(([name, { usage }]) => [name, { usage, run: operator(name), operator: true as const }])),
};
