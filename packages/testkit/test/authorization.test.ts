import { VERBS, type Reply, type RoomRole, type ServerRole, type Verb } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameClient, startTestServer, TextClient, type TestServer } from '../src/index.ts';

/**
 * The authorization matrix. Every command runs as every server role, and every
 * room-scoped command as every room role, and must be allowed or denied with the right code.
 * The expectations are written out here, not read from the command table, so a change to a
 * command's requirements must change this table too; a new verb fails until it is classified.
 */
type Who = 'anonymous' | ServerRole;
const ROLES: Who[] = ['anonymous', 'guest', 'user', 'operator', 'owner'];
const RANK: Record<Who, number> = { anonymous: -1, guest: 0, user: 1, operator: 2, owner: 3 };

/** Lowest role allowed: `any` (even before login), `anonymous` (only before login), or a server role. */
type Needs = 'any' | 'anonymous' | ServerRole | 'guest-only';
const NEEDS: Record<Verb, Needs> = {
  hello: 'any', help: 'any', ping: 'any', pong: 'any', quit: 'any',
  guest: 'anonymous', register: 'anonymous', login: 'anonymous',
  // Accounts cannot rename (a property of the account, not a role): FORBIDDEN from the handler.
  nick: 'guest-only',
  send: 'guest', join: 'guest', part: 'guest', create: 'guest', rooms: 'guest', who: 'guest', list: 'guest',
  topic: 'guest', history: 'guest', resume: 'guest', conversations: 'guest', presence: 'guest', oper: 'guest', userinfo: 'guest',
  delete: 'operator', serverinfo: 'operator', kick: 'operator', ban: 'operator', unban: 'operator', listbans: 'operator',
  broadcast: 'operator', mute: 'operator', unmute: 'operator', mode: 'operator', invite: 'operator', roomrole: 'operator',
  disable: 'operator', enable: 'operator', audit: 'operator',
  // Federation links; this server does not federate, so operators get FEDERATION_DISABLED (past the role check).
  peers: 'operator', connect: 'operator', disconnect: 'operator',
  grant: 'owner',
  // Device credentials are an account's: guests have none (operators may name an account).
  devices: 'user', revoke: 'user',
  // A challenge is for logging in and for ADDKEY; login keys are an account's.
  challenge: 'any', keys: 'user', addkey: 'user', removekey: 'user',
  // End-to-end devices are for every logged-in user, guests too (their keys last a session).
  edevice: 'guest', edevices: 'guest', eremovedevice: 'guest', kpupload: 'guest', kpclaim: 'guest', egroup: 'guest',
  egroupinfo: 'guest', emembers: 'guest', etreepart: 'guest', ecommit: 'guest', esend: 'guest', welcomes: 'guest', welcomeack: 'guest',
  // Changes to messages and read state are everyone's for their own conversations (the rules are the handler's).
  edit: 'guest', redact: 'guest', react: 'guest', typing: 'guest', read: 'guest', unread: 'guest', search: 'guest',
};

/** Room-scoped commands: the lowest room role that may run them in that room without a server role. */
const ROOM_NEEDS: Partial<Record<Verb, RoomRole>> = {
  kick: 'moderator', ban: 'moderator', unban: 'moderator', listbans: 'moderator', mute: 'moderator', unmute: 'moderator',
  mode: 'moderator', invite: 'moderator', roomrole: 'owner', delete: 'owner',
};

let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;

/** Arguments that pass validation and have no lasting effect on the other cells of the matrix. */
function argsFor(verb: Verb, room: string): Record<string, unknown> {
  switch (verb) {
    case 'hello': return { v: 1 };
    case 'guest': return {};
    case 'register': return { name: unique('reg'), password: 'password123' };
    case 'login': return { name: 'nobodyhere', password: 'wrong-password' };
    case 'nick': return { name: unique('nick') };
    case 'send': return { to: 'nobodyhere', text: 'hi' };
    case 'join': case 'part': case 'who': case 'topic': return { room: '#open' };
    case 'create': return { room: unique('#made') };
    case 'delete': return { room };
    case 'rooms': case 'list': case 'help': case 'serverinfo': case 'listbans': return verb === 'listbans' && room !== '#matrix' ? { room } : {};
    case 'history': return { with: '#open' };
    case 'resume': return { cursors: {} };
    case 'conversations': return {};
    case 'presence': return { status: 'online' };
    case 'ping': case 'pong': return { token: 't' };
    case 'quit': return {};
    case 'oper': return { password: 'not-the-password' };
    case 'userinfo': return { name: 'roomowner' };
    case 'kick': return { name: 'nobodyhere', ...(room === '#matrix' ? {} : { room }) };
    case 'ban': return { target: room === '#matrix' ? '203.0.113.0/24' : 'nobodyhere', ...(room === '#matrix' ? {} : { room }) };
    case 'unban': return { target: '198.51.100.7', ...(room === '#matrix' ? {} : { room }) };
    case 'broadcast': return { text: 'matrix' };
    case 'mute': case 'unmute': case 'invite': return { room, name: 'nobodyhere' };
    case 'mode': return { room };
    case 'roomrole': return { room, name: 'nobodyhere', role: 'member' };
    case 'grant': return { name: 'nobodyhere', role: 'user' };
    case 'disable': case 'enable': return { command: 'notacommand' };
    case 'audit': return { limit: 1 };
    case 'peers': return {};
    case 'connect': return { host: '127.0.0.1', port: 9 };
    case 'disconnect': return { server: 'nowhere.example' };
    case 'devices': return {};
    case 'revoke': return { device: 999_999 };
    case 'challenge': case 'keys': return {};
    case 'addkey': return { key: 'A'.repeat(43), signature: 'A'.repeat(86) };
    case 'removekey': return { key: 'A'.repeat(43) };
    case 'edevice': return { certificate: 'AAAA', signature: 'A'.repeat(86) };
    case 'edevices': return { name: 'roomowner' };
    case 'eremovedevice': return { device_id: 'nodevice' };
    case 'kpupload': return { packages: [] };
    case 'kpclaim': return { name: 'roomowner' };
    case 'egroup': case 'egroupinfo': case 'emembers': return { to: 'nobodyhere', group: 'AAAA' };
    case 'ecommit': return { to: 'nobodyhere', group: 'AAAA', epoch: 0, commit: 'AAAA', tree: 'AAAA', added: [], removed: [] };
    case 'etreepart': return { group: 'AAAA', epoch: 0, index: 0, count: 2, data: 'AAAA' };
    case 'esend': return { to: 'nobodyhere', data: 'AAAA' };
    case 'welcomes': return {};
    case 'welcomeack': return { group: 'AAAA' };
    case 'edit': return { to: 'nobodyhere', seq: 1, text: 'edited' };
    case 'redact': case 'react': return { to: 'nobodyhere', seq: 1, emoji: '👍' };
    case 'typing': return { to: 'nobodyhere' };
    case 'read': return { to: 'nobodyhere', seq: 1 };
    case 'unread': return {};
    case 'search': return { words: 'hello' };
  }
}

let server: TestServer;
const open: FrameClient[] = [];

async function connect(login: Record<string, unknown> | false): Promise<FrameClient> {
  const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }, login as never);
  open.push(client);
  return client;
}

const PASSWORD = 'password123';
const loginAs = (name: string) => ({ cmd: 'login', name, password: PASSWORD });

async function clientFor(who: Who): Promise<FrameClient> {
  switch (who) {
    case 'anonymous': return connect(false);
    case 'guest': return connect({ cmd: 'guest' });
    case 'user': return connect(loginAs('plainuser'));
    case 'operator': return connect(loginAs('operator1'));
    case 'owner': return connect(loginAs('owner1'));
  }
}

/** Runs one command; pong never replies, so it is followed by a ping and judged by silence. */
async function run(client: FrameClient, verb: Verb, args: Record<string, unknown>): Promise<Reply | 'silent'> {
  if (verb !== 'pong') return client.request(verb, args);
  client.sendFrame({ cmd: 'pong', id: 'pong-probe', ...args });
  await client.request('ping', {});
  return client.frames.some((f) => 're' in f && f.re === 'pong-probe') ? (client.frames.find((f) => 're' in f && f.re === 'pong-probe') as Reply) : 'silent';
}

function outcome(reply: Reply | 'silent'): string {
  if (reply === 'silent' || reply.ok) return 'allowed';
  const { name, code } = reply.error;
  return name === 'FORBIDDEN' || name === 'NOT_LOGGED_IN' || name === 'ALREADY_LOGGED_IN' ? `${code} ${name}` : 'allowed';
}

function expected(verb: Verb, who: Who): string {
  const needs = NEEDS[verb];
  if (needs === 'any') return 'allowed';
  if (needs === 'anonymous') return who === 'anonymous' ? 'allowed' : '2001 ALREADY_LOGGED_IN';
  if (who === 'anonymous') return '2000 NOT_LOGGED_IN';
  if (needs === 'guest-only') return who === 'guest' ? 'allowed' : '2005 FORBIDDEN';
  return RANK[who] >= RANK[needs] ? 'allowed' : '2005 FORBIDDEN';
}

beforeAll(async () => {
  server = await startTestServer({
    limits: { messages_per_minute: 60_000, message_burst: 10_000, joins_per_minute: 60_000, join_burst: 10_000, login_failures_before_lockout: 1000 },
  });
  // The first account is the server owner; it makes operator1 an operator with GRANT.
  const owner = await connect({ cmd: 'register', name: 'owner1', password: PASSWORD });
  for (const name of ['operator1', 'plainuser', 'roomowner', 'roommod', 'roommember']) (await connect({ cmd: 'register', name, password: PASSWORD })).close();
  await owner.ok('grant', { name: 'operator1', role: 'operator' });
  // Room-scoped commands in the server matrix name #matrix, which none of those roles owns.
  const roomOwner = await connect(loginAs('roomowner'));
  await roomOwner.ok('create', { room: '#matrix' });
});

afterAll(async () => {
  for (const client of open) client.close();
  await server?.stop({ removeData: true });
});

describe('authorization matrix: every command as every server role', () => {
  it('classifies every verb', () => {
    expect(Object.keys(NEEDS).sort()).toEqual([...VERBS].sort());
  });

  it('allows or denies each (command, role) with the right code', async () => {
    const owner = await clientFor('owner');
    const table: Record<string, Record<Who, string>> = {};
    const want: Record<string, Record<Who, string>> = {};
    for (const who of ROLES) {
      let client = await clientFor(who);
      for (const verb of VERBS) {
        // Commands that change the connection's state get a connection of their own.
        const disposable = verb === 'quit' || (who === 'anonymous' && NEEDS[verb] === 'anonymous');
        let room = '#matrix';
        if (verb === 'delete') {
          room = unique('#del');
          await owner.ok('create', { room });
        }
        const target = disposable ? await clientFor(who) : client;
        const reply = await run(target, verb, argsFor(verb, room));
        (table[verb] ??= {} as Record<Who, string>)[who] = outcome(reply);
        (want[verb] ??= {} as Record<Who, string>)[who] = expected(verb, who);
        if (disposable) target.close();
        if (client.closed) client = await clientFor(who);
      }
    }
    expect(table).toEqual(want);
  });

  it('denies in text mode with the same code', async () => {
    const text = await TextClient.connect({ port: server.tcpPort });
    try {
      expect(await text.command('LOGIN plainuser password123')).toMatch(/^OK welcome/);
      expect(await text.command('KICK roomowner')).toMatch(/^ERR 2005 FORBIDDEN /);
      expect(await text.command('/ban 203.0.113.9')).toMatch(/^ERR 2005 FORBIDDEN /);
      expect(await text.command('SERVERINFO')).toMatch(/^ERR 2005 FORBIDDEN /);
    } finally {
      text.close();
    }
  });
});

describe('authorization matrix: room-scoped commands as every room role', () => {
  type RoomWho = 'outsider' | RoomRole;
  const ROOM_ROLES: RoomWho[] = ['outsider', 'member', 'moderator', 'owner'];
  const ROOM_RANK: Record<RoomWho, number> = { outsider: 0, member: 0, moderator: 1, owner: 2 };
  const roomVerbs = Object.keys(ROOM_NEEDS) as Verb[];

  it('allows a room role to act in its own room only', async () => {
    const room = '#scoped';
    const roomOwner = await connect(loginAs('roomowner'));
    await roomOwner.ok('create', { room });
    await roomOwner.ok('create', { room: '#elsewhere' });
    await roomOwner.ok('roomrole', { room, name: 'roommod', role: 'moderator' });
    const clients: Record<RoomWho, FrameClient> = {
      outsider: await connect(loginAs('plainuser')),
      member: await connect(loginAs('roommember')),
      moderator: await connect(loginAs('roommod')),
      owner: roomOwner,
    };
    await clients.member.ok('join', { room });
    await clients.moderator.ok('join', { room });

    const table: Record<string, Record<RoomWho, string>> = {};
    const want: Record<string, Record<RoomWho, string>> = {};
    // delete last: the owner's delete removes the room.
    for (const verb of [...roomVerbs.filter((v) => v !== 'delete'), 'delete' as const]) {
      for (const who of ROOM_ROLES) {
        const reply = await run(clients[who], verb, argsFor(verb, room));
        (table[verb] ??= {} as Record<RoomWho, string>)[who] = outcome(reply);
        (want[verb] ??= {} as Record<RoomWho, string>)[who] = ROOM_RANK[who] >= ROOM_RANK[ROOM_NEEDS[verb]!] ? 'allowed' : '2005 FORBIDDEN';
      }
    }
    expect(table).toEqual(want);
    // The moderator of #scoped is nobody in #elsewhere, and a server-wide KICK needs a server role.
    expect(outcome(await clients.moderator.request('mute', { room: '#elsewhere', name: 'nobodyhere' }))).toBe('2005 FORBIDDEN');
    expect(outcome(await clients.moderator.request('kick', { name: 'nobodyhere' }))).toBe('2005 FORBIDDEN');
  });
});
