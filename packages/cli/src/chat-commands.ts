import { describeModes, replyLines, type ParleyClient } from '@parley/client';
import { CLIENT_HELP, parseCommandLine, slashUsage, splitWords, type CommandArgs, type MessageKind, type PresenceStatus, type ReplyData, type RoomModes, type RoomSummary } from '@parley/protocol';

export interface ChatContext {
  client: ParleyClient;
  room: string | undefined;
  /** The conversation in view when it is not a room (a person, ALL): where /me goes. */
  target?: string | undefined;
  out(line: string): void;
  status(line: string): void;
  // Optional hooks, for a client that keeps a view per conversation (the terminal UI).
  /**
   * A message typed as a command (`/me waves`, `/say #dev hi`): a client with this hook sends it
   * itself, to show it as sending until the receipt; without it the send just goes out.
   */
  send?(to: string[], text: string, kind: MessageKind | undefined): void;
  joined?(room: ReplyData['join']): void;
  left?(room: string): void;
  /**
   * My new name. A client with this hook shows the rename itself, from the `nick` event the
   * server sends every connection of mine (the one that asked included), so it is not said twice.
   */
  renamed?(name: string): void;
  /** A topic I read or set: the server sends no `topic` event to the connection that set it. */
  topic?(room: string, topic: string): void;
  /** The server's room list, from `/rooms`. */
  listed?(rooms: RoomSummary[]): void;
  /** A room's modes, read or set (`/mode`): the server sends no mode notice to the connection that set them. */
  modes?(room: string, modes: RoomModes): void;
  /**
   * My own presence after `/away [message]` or `/back`: the server tells everyone who shares a
   * room with me, but not me. The message stays with this client (`presence` carries no text).
   */
  presence?(status: Exclude<PresenceStatus, 'offline'>, message: string | undefined): void;
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
 * "#dev modes: invite-only (+i), end-to-end encrypted (+E)". The SDK's describeModes words the
 * others; encryption is named here whether or not it does, so it is never said twice or left out.
 */
export function modesText(room: string, modes: RoomModes): string {
  const others = describeModes({ ...modes, encrypted: false });
  const all = modes.encrypted ? [...(others === 'none' ? [] : [others]), 'end-to-end encrypted (+E)'].join(', ') : others;
  return `${room} modes: ${all}`;
}

/** "/away back at 3" -> "back at 3"; undefined when nothing follows the word. */
function awayMessage(line: string): string | undefined {
  const text = splitWords(line.trim().replace(/^\/{1,2}/, '')).rest(0).trim();
  return text === '' ? undefined : text;
}

/**
 * Runs a typed command through the grammar every Parley surface shares (so `/kick`, `/ban`,
 * `/mode`, `/changeuname` or `//create-channel` mean here what they mean in text mode and in
 * the web client), with the current room for the commands that need one, then shows the reply.
 * Refusals are thrown as they came (a ParleyError for bad input, a client error from the server).
 */
export async function runServerCommand(ctx: ChatContext, line: string): Promise<void> {
  const parsed = parseCommandLine(line, { currentRoom: ctx.room, currentTarget: ctx.target ?? ctx.room });
  if (parsed.verb === 'send' && ctx.send) {
    const { to, text, kind } = parsed.args as CommandArgs<'send'>;
    ctx.send(Array.isArray(to) ? to : [to], text, kind);
    return;
  }
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
      if (ctx.renamed) ctx.renamed(name);
      else ctx.status(`you are now ${name}`);
      return;
    }
    case 'topic': {
      const { room, topic } = data as ReplyData['topic'];
      ctx.topic?.(room, topic);
      if (parsed.args.topic === undefined) break;
      ctx.out(topic ? `* you set the topic of ${room}: ${topic}` : `* you cleared the topic of ${room}`);
      return;
    }
    case 'rooms':
      ctx.listed?.((data as ReplyData['rooms']).rooms);
      break;
    case 'mode': {
      const { room, modes } = data as ReplyData['mode'];
      ctx.modes?.(room, modes);
      ctx.out(`* ${modesText(room, modes)}`);
      return;
    }
    case 'presence': {
      const { status } = data as ReplyData['presence'];
      const message = status === 'away' ? awayMessage(line) : undefined;
      ctx.presence?.(status, message);
      ctx.out(status === 'away' ? `* you are away${message ? `: ${message}` : ''}` : '* you are back');
      return;
    }
    case 'send':
      return;
    default:
      break;
  }
  for (const text of replyLines(verb, data as never)) ctx.out(`* ${text}`);
}
