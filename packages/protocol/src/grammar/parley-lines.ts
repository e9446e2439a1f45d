import { MODE_USAGE, parseModeFlags } from './mode-flags.ts';
import { MESSAGE_LINES } from './message-lines.ts';
import { isDurationWord } from './durations.ts';
import { explicitRoom, intOrRaw, need, optional, roomOrCurrent, usageError, type LineForm } from './line-form.ts';

const send = (usage: string): LineForm => ({
  usage,
  verb: 'send',
  // An empty text is left to the server, which says TEXT_EMPTY as it does for every transport.
  parse: (w) => ({ verb: 'send', args: { to: need(w.words[0], usage).split(',').filter(Boolean), text: w.rest(1) } }),
});

const createForm = (usage: string): LineForm => ({
  usage,
  verb: 'create',
  parse: (w) => ({ verb: 'create', args: { room: need(w.words[0], usage), ...optional('topic', w.rest(1)) } }),
});

const deleteForm = (usage: string): LineForm => ({ usage, verb: 'delete', parse: (w) => ({ verb: 'delete', args: { room: need(w.words[0], usage) } }) });

const part = (usage: string): LineForm => ({ usage, verb: 'part', parse: (w, ctx) => ({ verb: 'part', args: { room: roomOrCurrent(w.words, ctx, usage).room } }) });

const list = (usage: string): LineForm => ({ usage, verb: 'list', parse: () => ({ verb: 'list', args: {} }) });

const userinfo = (usage: string): LineForm => ({ usage, verb: 'userinfo', parse: (w) => ({ verb: 'userinfo', args: { name: need(w.words[0], usage) } }) });

const help = (usage: string): LineForm => ({ usage, verb: 'help', parse: () => ({ verb: 'help', args: {} }) });

const peers = (usage: string): LineForm => ({ usage, verb: 'peers', parse: () => ({ verb: 'peers', args: {} }) });

const disconnect = (word: string, note: string): LineForm => {
  const usage = `${word} <server name|id>`;
  return { usage: `${usage}   (${note})`, verb: 'disconnect', parse: (w) => ({ verb: 'disconnect', args: { server: need(w.words[0], usage) } }) };
};

const CONNECT_USAGE = 'CONNECT <host> <port>';

/** A target followed by an optional duration, then the reason; "name:" bans the name alone. */
const BAN_USAGE = 'BAN [#room] <name|name:name|ip|cidr|key:fingerprint> [duration] [reason]';

/**
 * Parley's own command words, as a person types them in text mode (`JOIN #dev`), in the web
 * and terminal clients (`/join #dev`) and at the server console. Verbs are case-insensitive;
 * free text (a message, a topic, a reason) is the rest of the line with its spacing kept.
 */
export const PARLEY_LINES: Readonly<Record<string, LineForm>> = {
  REGISTER: {
    usage: 'REGISTER [name] [password]   (no password: a guest name for this connection; with one: create an account)',
    verb: 'register',
    parse: (w) =>
      w.words.length >= 2 ? { verb: 'register', args: { name: w.words[0], password: w.rest(1) } } : { verb: 'guest', args: optional('name', w.words[0]) },
  },
  GUEST: { usage: 'GUEST [name]', verb: 'guest', parse: (w) => ({ verb: 'guest', args: optional('name', w.words[0]) }) },
  LOGIN: {
    usage: 'LOGIN <name> <password>',
    verb: 'login',
    parse: (w) => ({ verb: 'login', args: { name: need(w.words[0], 'LOGIN <name> <password>'), password: need(w.rest(1), 'LOGIN <name> <password>') } }),
  },
  NICK: { usage: 'NICK <newname>', verb: 'nick', parse: (w) => ({ verb: 'nick', args: { name: need(w.words[0], 'NICK <newname>') } }) },
  SEND: send('SEND <name|name1,name2|#room|ALL> <text>'),
  MSG: send('MSG <name> <text>'),
  SAY: send('SAY <#room> <text>'),
  ME: {
    usage: 'ME <action>   (to the current conversation: "ME waves" shows "* alice waves")',
    verb: 'send',
    parse: (w, ctx) => {
      const to = ctx.currentTarget ?? ctx.currentRoom;
      if (!to) throw usageError('ME <action>', 'No current conversation: join a room or open one first');
      return { verb: 'send', args: { to, text: w.rest(0), kind: 'action' } };
    },
  },
  JOIN: {
    usage: 'JOIN <#room> [password]',
    verb: 'join',
    parse: (w) => ({ verb: 'join', args: { room: need(w.words[0], 'JOIN <#room> [password]'), ...optional('password', w.rest(1)) } }),
  },
  PART: part('PART [#room]   (default: the current room)'),
  LEAVE: part('LEAVE [#room]'),
  CREATE: createForm('CREATE <#room> [topic]'),
  CREATEROOM: createForm('CREATEROOM <#room> [topic]'),
  DELETE: deleteForm('DELETE <#room>'),
  DELETEROOM: deleteForm('DELETEROOM <#room>'),
  ROOMS: { usage: 'ROOMS', verb: 'rooms', parse: () => ({ verb: 'rooms', args: {} }) },
  WHO: {
    usage: 'WHO [#room]',
    verb: 'who',
    parse: (w, ctx) => ({ verb: 'who', args: { room: roomOrCurrent(w.words, ctx, 'WHO [#room]').room } }),
  },
  LIST: list('LIST   (online users)'),
  USERS: list('USERS'),
  TOPIC: {
    usage: 'TOPIC [#room] [new topic]',
    verb: 'topic',
    parse: (w, ctx) => {
      const { room, at } = roomOrCurrent(w.words, ctx, 'TOPIC [#room] [new topic]');
      return { verb: 'topic', args: { room, ...optional('topic', w.rest(at)) } };
    },
  },
  HISTORY: {
    usage: 'HISTORY [#room|name|ALL|conversation id] [count]',
    verb: 'history',
    parse: (w, ctx) => {
      // "HISTORY 50" pages the conversation in view (a client's open DM, or the current room); a first word that is a number is a count.
      const counted = /^\d+$/.test(w.words[0] ?? '');
      const inView = () => ctx.currentTarget ?? roomOrCurrent([], ctx, 'HISTORY [#room|name|ALL|conversation id] [count]').room;
      const target = counted || w.words.length === 0 ? inView() : w.words[0];
      return { verb: 'history', args: { with: target, ...optional('limit', intOrRaw(counted ? w.words[0] : w.words[1])) } };
    },
  },
  CONVERSATIONS: {
    usage: 'CONVERSATIONS [count]   (your direct conversations, newest first)',
    verb: 'conversations',
    parse: (w) => ({ verb: 'conversations', args: optional('limit', intOrRaw(w.words[0])) }),
  },
  AWAY: { usage: 'AWAY', verb: 'presence', parse: () => ({ verb: 'presence', args: { status: 'away' } }) },
  BACK: { usage: 'BACK', verb: 'presence', parse: () => ({ verb: 'presence', args: { status: 'online' } }) },
  HELP: help('HELP'),
  SERVERHELP: help('SERVERHELP'),
  PING: { usage: 'PING [token]', verb: 'ping', parse: (w) => ({ verb: 'ping', args: optional('token', w.words[0]) }) },
  PONG: { usage: 'PONG [token]', verb: 'pong', parse: (w) => ({ verb: 'pong', args: optional('token', w.words[0]) }) },
  QUIT: { usage: 'QUIT [reason]', verb: 'quit', parse: (w) => ({ verb: 'quit', args: optional('reason', w.rest(0)) }) },
  OPER: {
    usage: 'OPER <password>   (the operator password the server printed)',
    verb: 'oper',
    parse: (w) => ({ verb: 'oper', args: { password: need(w.rest(0), 'OPER <password>') } }),
  },
  SERVERINFO: { usage: 'SERVERINFO', verb: 'serverinfo', parse: () => ({ verb: 'serverinfo', args: {} }) },
  USERINFO: userinfo('USERINFO <name>'),
  WHOIS: userinfo('WHOIS <name>'),
  KICK: {
    usage: 'KICK [#room] <name> [reason]   (no #room: disconnect from the server)',
    verb: 'kick',
    parse: (w) => {
      const { room, at } = explicitRoom(w.words);
      return { verb: 'kick', args: { ...room, name: need(w.words[at], 'KICK [#room] <name> [reason]'), ...optional('reason', w.rest(at + 1)) } };
    },
  },
  KILL: {
    usage: 'KILL <name> [reason]   (disconnect from the server)',
    verb: 'kick',
    parse: (w) => ({ verb: 'kick', args: { name: need(w.words[0], 'KILL <name> [reason]'), ...optional('reason', w.rest(1)) } }),
  },
  BAN: {
    usage: `${BAN_USAGE}   (a name also bans the addresses its connections come from)`,
    verb: 'ban',
    parse: (w) => {
      const { room, at } = explicitRoom(w.words);
      const raw = need(w.words[at], BAN_USAGE);
      const nameOnly = /^name:/i.test(raw);
      const hasDuration = isDurationWord(w.words[at + 1]);
      return {
        verb: 'ban',
        args: {
          ...room,
          target: nameOnly ? raw.slice(5) : raw,
          ...(nameOnly ? {} : { addresses: true }),
          ...(hasDuration ? { duration: w.words[at + 1] } : {}),
          ...optional('reason', w.rest(at + (hasDuration ? 2 : 1))),
        },
      };
    },
  },
  UNBAN: {
    usage: 'UNBAN [#room] <name|ip|cidr|key:fingerprint>',
    verb: 'unban',
    parse: (w) => {
      const { room, at } = explicitRoom(w.words);
      return { verb: 'unban', args: { ...room, target: need(w.words[at], 'UNBAN [#room] <name|ip|cidr|key:fingerprint>') } };
    },
  },
  LISTBANS: { usage: 'LISTBANS [#room]', verb: 'listbans', parse: (w) => ({ verb: 'listbans', args: explicitRoom(w.words).room }) },
  BROADCAST: { usage: 'BROADCAST <text>', verb: 'broadcast', parse: (w) => ({ verb: 'broadcast', args: { text: need(w.rest(0), 'BROADCAST <text>') } }) },
  MUTE: {
    usage: 'MUTE [#room] <name> [reason]',
    verb: 'mute',
    parse: (w, ctx) => {
      const { room, at } = roomOrCurrent(w.words, ctx, 'MUTE [#room] <name> [reason]');
      return { verb: 'mute', args: { room, name: need(w.words[at], 'MUTE [#room] <name> [reason]'), ...optional('reason', w.rest(at + 1)) } };
    },
  },
  UNMUTE: {
    usage: 'UNMUTE [#room] <name>',
    verb: 'unmute',
    parse: (w, ctx) => {
      const { room, at } = roomOrCurrent(w.words, ctx, 'UNMUTE [#room] <name>');
      return { verb: 'unmute', args: { room, name: need(w.words[at], 'UNMUTE [#room] <name>') } };
    },
  },
  MODE: {
    usage: `MODE [#room] ${MODE_USAGE}   (invite-only, moderated, topic lock, password)`,
    verb: 'mode',
    parse: (w, ctx) => {
      const { room, at } = roomOrCurrent(w.words, ctx, `MODE [#room] ${MODE_USAGE}`);
      return { verb: 'mode', args: { room, ...parseModeFlags(w.words.slice(at)) } };
    },
  },
  INVITE: {
    usage: 'INVITE [#room] <name>',
    verb: 'invite',
    parse: (w, ctx) => {
      const { room, at } = roomOrCurrent(w.words, ctx, 'INVITE [#room] <name>');
      return { verb: 'invite', args: { room, name: need(w.words[at], 'INVITE [#room] <name>') } };
    },
  },
  ROOMROLE: {
    usage: 'ROOMROLE [#room] <name> <owner|moderator|member>',
    verb: 'roomrole',
    parse: (w, ctx) => {
      const usage = 'ROOMROLE [#room] <name> <owner|moderator|member>';
      const { room, at } = roomOrCurrent(w.words, ctx, usage);
      return { verb: 'roomrole', args: { room, name: need(w.words[at], usage), role: need(w.words[at + 1], usage) } };
    },
  },
  GRANT: {
    usage: 'GRANT <name> <owner|operator|user>',
    verb: 'grant',
    parse: (w) => ({ verb: 'grant', args: { name: need(w.words[0], 'GRANT <name> <owner|operator|user>'), role: need(w.words[1], 'GRANT <name> <owner|operator|user>') } }),
  },
  DISABLE: { usage: 'DISABLE <command>', verb: 'disable', parse: (w) => ({ verb: 'disable', args: { command: need(w.words[0], 'DISABLE <command>') } }) },
  ENABLE: { usage: 'ENABLE <command>', verb: 'enable', parse: (w) => ({ verb: 'enable', args: { command: need(w.words[0], 'ENABLE <command>') } }) },
  AUDIT: { usage: 'AUDIT [count]', verb: 'audit', parse: (w) => ({ verb: 'audit', args: optional('limit', intOrRaw(w.words[0])) }) },
  PEERS: peers('PEERS   (the servers this one knows, linked or not, and the addresses it dials)'),
  LINKS: peers('LINKS   (as PEERS)'),
  CONNECT: {
    usage: `${CONNECT_USAGE}   (keep a federation link to that address)`,
    verb: 'connect',
    // "[::1]" is how people write an IPv6 address beside a port; the argument is the bare address.
    parse: (w) => ({ verb: 'connect', args: { host: need(w.words[0], CONNECT_USAGE).replace(/^\[(.*)\]$/, '$1'), port: intOrRaw(need(w.words[1], CONNECT_USAGE)) } }),
  },
  DISCONNECT: disconnect('DISCONNECT', 'close its federation link and stop dialing it'),
  SQUIT: disconnect('SQUIT', 'as DISCONNECT'),
  DEVICES: {
    usage: 'DEVICES [name]   (the devices that stay signed in to your account; operators: name one)',
    verb: 'devices',
    parse: (w) => ({ verb: 'devices', args: optional('name', w.words[0]) }),
  },
  REVOKE: {
    usage: 'REVOKE <device id>   (signs that device out; the id is in DEVICES)',
    verb: 'revoke',
    parse: (w) => ({ verb: 'revoke', args: { device: intOrRaw(need(w.words[0], 'REVOKE <device id>')) } }),
  },
  CHALLENGE: { usage: 'CHALLENGE   (a nonce to sign with a key; clients do this for you)', verb: 'challenge', parse: () => ({ verb: 'challenge', args: {} }) },
  KEYS: { usage: 'KEYS   (the keys that sign in to your account)', verb: 'keys', parse: () => ({ verb: 'keys', args: {} }) },
  REMOVEKEY: {
    usage: 'REMOVEKEY <key>   (that key no longer signs in; its connections close)',
    verb: 'removekey',
    parse: (w) => ({ verb: 'removekey', args: { key: need(w.words[0], 'REMOVEKEY <key>') } }),
  },
  ...MESSAGE_LINES,
};

/**
 * What clients list in their help, by group; the other words (logging in, synonyms such as
 * LEAVE or WHOIS, the dialect aliases) work everywhere but are not listed twice.
 */
export const CLIENT_HELP: Readonly<Record<'chat' | 'operator', readonly string[]>> = {
  chat: ['JOIN', 'PART', 'MSG', 'ME', 'REPLY', 'EDIT', 'REDACT', 'REACT', 'UNREACT', 'READ', 'UNREAD', 'SEARCH', 'CREATE', 'ROOMS', 'WHO', 'LIST', 'TOPIC', 'HISTORY', 'CONVERSATIONS', 'NICK', 'AWAY', 'BACK', 'DEVICES', 'REVOKE'],
  operator: ['OPER', 'USERINFO', 'KICK', 'KILL', 'BAN', 'UNBAN', 'LISTBANS', 'MUTE', 'UNMUTE', 'MODE', 'INVITE', 'ROOMROLE', 'BROADCAST', 'DELETE', 'SERVERINFO', 'GRANT', 'DISABLE', 'ENABLE', 'AUDIT', 'PEERS', 'CONNECT', 'DISCONNECT'],
};
