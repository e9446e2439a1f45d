import { replyLines, type ParleyClient } from '@parley/client';
import { CLIENT_HELP, parseCommandLine, slashUsage, splitWords, type ReplyData } from '@parley/protocol';

export interface ChatContext {
  client: ParleyClient;
  room: string | undefined;
  /** The conversation in view when it is not a room (a person, ALL): where /me goes. */
  target?: string | undefined;
  out(line: string): void;
  status(line: string): void;
  /** Optional hooks for a client that keeps views per room (the terminal UI). */
  joined?(room: ReplyData['join']): void;
  left?(room: string): void;
  renamed?(name: string): void;
}

/** The command word of a line that starts with "/" or "//", lower-cased ("join" for "/join #dev"). */
export function slashWord(line: string): string {
  return splitWords(line.replace(/^\/{1,2}/, '')).word.toLowerCase();
}

/** Help lines for the server's commands, from the one grammar (@parley/protocol), grouped as clients list them. */
export function commandHelp(): { chat: string[]; operator: string[] } {
  return { chat: CLIENT_HELP.chat.map(slashUsage), operator: CLIENT_HELP.operator.map(slashUsage) };
}

/**
 * Runs a typed command through the grammar every Parley surface shares (so `/kick`, `/ban`,
 * `/mode`, `/changeuname` or `//create-channel` mean here what they mean in text mode and in
 * the web client), with the current room for the commands that need one, then shows the reply.
 * Refusals are thrown as they came (a ParleyError for bad input, a client error from the server).
 */
export async function runServerCommand(ctx: ChatContext, line: string): Promise<void> {
  const parsed = parseCommandLine(line, { currentRoom: ctx.room, currentTarget: ctx.target ?? ctx.room });
  const { verb, data } = await ctx.client.runLine(parsed);
  switch (verb) {
    case 'join':
    case 'create': {
      const joined = data as ReplyData['join'];
      ctx.room = joined.name;
      ctx.joined?.(joined);
      ctx.status(`joined ${joined.name} (${joined.members} online)${joined.topic ? `, topic: ${joined.topic}` : ''}`);
      return;
    }
    case 'part':
    case 'delete': {
      const { room } = data as ReplyData['part'];
      if (ctx.room?.toLowerCase() === room.toLowerCase()) ctx.room = undefined;
      ctx.left?.(room);
      ctx.status(`${verb === 'part' ? 'left' : 'deleted'} ${room}`);
      return;
    }
    case 'nick': {
      const { name } = data as ReplyData['nick'];
      ctx.renamed?.(name);
      ctx.status(`you are now ${name}`);
      return;
    }
    case 'send':
      return;
    default:
      for (const text of replyLines(verb, data as never)) ctx.out(`* ${text}`);
  }
}
