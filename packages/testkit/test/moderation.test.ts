import type { Reply } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { openConsoleSession } from '@parley/server';
import { type FrameClient, type TextClient, useServerScope, waitFor } from '../src/index.ts';

/** Kicks, mutes, room modes, disabled commands, broadcasts, user and server info, audit. */
const scope = useServerScope();

const PASSWORD = 'password123';
const errorName = (reply: Reply) => (reply.ok ? 'ok' : reply.error.name);

const { frames } = scope;

async function text(login: string): Promise<TextClient> {
  const client = await scope.text();
  expect(await client.command(login)).toMatch(/^OK welcome/);
  return client;
}

describe('roles', () => {
  it('makes the first account the owner, unless turned off', async () => {
    await scope.start();
    const first = await frames({ cmd: 'register', name: 'first', password: PASSWORD });
    await frames({ cmd: 'register', name: 'second', password: PASSWORD });
    expect(await first.ok('userinfo', { name: 'first' })).toMatchObject({ role: 'owner', kind: 'account' });
    expect(await first.ok('userinfo', { name: 'second' })).toMatchObject({ role: 'user' });

    await scope.start({ moderation: { first_account_owner: false } });
    const nobody = await frames({ cmd: 'register', name: 'first', password: PASSWORD });
    expect(await nobody.ok('userinfo', { name: 'first' })).toMatchObject({ role: 'user' });
  });
});

describe('kick', () => {
  it('disconnects a user server-wide, or removes them from a room, with the reason', async () => {
    await scope.start();
    const op = await frames({ cmd: 'register', name: 'op', password: PASSWORD });
    const victim = await frames({ cmd: 'guest', name: 'victim' });
    const watcher = await text('GUEST watcher');
    expect(await op.ok('kick', { name: 'victim', room: '#general', reason: 'off topic' })).toMatchObject({ name: 'victim', room: '#general' });
    expect(await watcher.expect('PART victim #general')).toBe('PART victim #general kicked by op: off topic');
    expect(victim.closed).toBe(false);
    expect(await watcher.command('KICK victim')).toMatch(/^ERR 2005 FORBIDDEN/);
    expect(await op.ok('kick', { name: 'victim', reason: 'bye' })).toMatchObject({ sessions: 1 });
    expect(await victim.event((e) => e.ev === 'error')).toMatchObject({ error: { code: 2009, name: 'KICKED', message: 'You were kicked by op: bye' } });
    await victim.waitClosed();
    // Operators cannot kick the owner, and nobody kicks themselves.
    const second = await frames({ cmd: 'register', name: 'second', password: PASSWORD });
    await op.ok('grant', { name: 'second', role: 'operator' });
    expect(errorName(await second.request('kick', { name: 'op' }))).toBe('FORBIDDEN');
    expect(errorName(await op.request('kick', { name: 'op' }))).toBe('FORBIDDEN');
    const entries = (await op.ok('audit', { limit: 10 })) as { entries: { action: string; target: string; actor: string }[] };
    expect(entries.entries.filter((e) => e.action === 'kick').map((e) => e.target)).toEqual(['victim', 'victim #general']);
  });
});

describe('room moderation', () => {
  it('mutes, moderated rooms, invite-only, passwords and topic locks', async () => {
    await scope.start({ limits: { messages_per_minute: 6000, message_burst: 1000 } });
    const boss = await frames({ cmd: 'register', name: 'boss', password: PASSWORD }); // the server owner
    const owner = await frames({ cmd: 'register', name: 'roomowner', password: PASSWORD });
    const mod = await frames({ cmd: 'register', name: 'mod', password: PASSWORD });
    const member = await frames({ cmd: 'guest', name: 'member' });
    const outsider = await frames({ cmd: 'guest', name: 'outsider' });
    await owner.ok('create', { room: '#club' });
    await mod.ok('join', { room: '#club' });
    await member.ok('join', { room: '#club' });
    await owner.ok('roomrole', { room: '#club', name: 'mod', role: 'moderator' });
    expect(await member.event((e) => e.ev === 'room_role')).toEqual({ ev: 'room_role', room: '#club', user: 'mod', role: 'moderator', by: 'roomowner' });
    expect(await member.ok('who', { room: '#club' })).toMatchObject({ members: expect.arrayContaining([{ name: 'mod', status: 'online', kind: 'account', role: 'moderator' }]) });
    expect(errorName(await member.request('roomrole', { room: '#club', name: 'member', role: 'moderator' }))).toBe('FORBIDDEN');
    expect(errorName(await mod.request('roomrole', { room: '#club', name: 'member', role: 'moderator' }))).toBe('FORBIDDEN');

    // Mute
    await mod.ok('mute', { room: '#club', name: 'member', reason: 'calm down' });
    expect(await member.event((e) => e.ev === 'notice')).toMatchObject({ text: 'mod muted you in #club: calm down' });
    // Moderators see who is muted; others do not.
    const mutedIn = async (client: FrameClient) => ((await client.ok('who', { room: '#club' })) as { members: { name: string; muted?: true }[] }).members.filter((m) => m.muted).map((m) => m.name);
    expect(await mutedIn(mod)).toEqual(['member']);
    expect(await mutedIn(member)).toEqual([]);
    expect(errorName(await member.request('send', { to: '#club', text: 'hello?' }))).toBe('MUTED');
    expect(errorName(await member.request('send', { to: ['#general', '#club'], text: 'all or nothing' }))).toBe('MUTED');
    await member.ok('send', { to: '#general', text: 'still allowed here' });
    expect(errorName(await mod.request('mute', { room: '#club', name: 'roomowner' }))).toBe('FORBIDDEN');
    // A muted guest stays muted when it comes back under the same name.
    member.close();
    await waitFor(async () => !((await mod.ok('userinfo', { name: 'member' }).catch(() => ({ online: false }))) as { online: boolean }).online, 'member gone');
    const member2 = await frames({ cmd: 'guest', name: 'member' });
    await member2.ok('join', { room: '#club' });
    expect(errorName(await member2.request('send', { to: '#club', text: 'new me' }))).toBe('MUTED');
    await mod.ok('unmute', { room: '#club', name: 'member' });
    await member2.ok('send', { to: '#club', text: 'back' });

    // Moderated: only moderators (and owners, operators) speak.
    expect(await mod.ok('mode', { room: '#club', moderated: true })).toEqual({
      room: '#club',
      modes: { inviteOnly: false, password: false, moderated: true, topicLock: false, encrypted: false },
    });
    expect(await member2.event((e) => e.ev === 'notice' && e.text.includes('set the modes'))).toMatchObject({ text: 'mod set the modes of #club: moderated' });
    expect(errorName(await member2.request('send', { to: '#club', text: 'hi' }))).toBe('MUTED');
    await mod.ok('send', { to: '#club', text: 'moderators speak' });
    await owner.ok('send', { to: '#club', text: 'owners too' });
    await mod.ok('mode', { room: '#club', moderated: false });

    // Topic lock.
    await mod.ok('mode', { room: '#club', topic_lock: true });
    expect(errorName(await member2.request('topic', { room: '#club', topic: 'mine' }))).toBe('TOPIC_LOCKED');
    await mod.ok('topic', { room: '#club', topic: 'by the moderator' });

    // Invite-only: outsiders can neither join nor read the history.
    await owner.ok('mode', { room: '#club', invite_only: true });
    expect(errorName(await outsider.request('join', { room: '#club' }))).toBe('INVITE_ONLY');
    expect(errorName(await outsider.request('history', { with: '#club' }))).toBe('NOT_IN_ROOM');
    expect(errorName(await outsider.request('history', { with: '#general' }))).toBe('ok');
    // ... nor see who is inside, its topic, or that someone is a member (the server's operators can).
    const roomNames = async (client: FrameClient) => ((await client.ok('rooms')) as { rooms: { name: string }[] }).rooms.map((r) => r.name);
    const userRooms = async (client: FrameClient) => ((await client.ok('userinfo', { name: 'mod' })) as { rooms: { name: string }[] }).rooms.map((r) => r.name);
    expect(await roomNames(outsider)).toEqual(['#general']);
    expect(errorName(await outsider.request('who', { room: '#club' }))).toBe('NOT_IN_ROOM');
    expect(errorName(await outsider.request('topic', { room: '#club' }))).toBe('NOT_IN_ROOM');
    expect(await userRooms(outsider)).not.toContain('#club');
    for (const insider of [mod, boss]) {
      expect(await roomNames(insider)).toContain('#club');
      expect(await insider.ok('topic', { room: '#club' })).toMatchObject({ topic: 'by the moderator' });
      expect(await userRooms(insider)).toContain('#club');
    }
    expect(await boss.ok('who', { room: '#club' })).toMatchObject({ members: expect.arrayContaining([expect.objectContaining({ name: 'mod' })]) });
    await mod.ok('invite', { room: '#club', name: 'outsider' });
    expect(await outsider.event((e) => e.ev === 'notice')).toMatchObject({ text: 'mod invited you to #club: JOIN #club' });
    await outsider.ok('join', { room: '#club' });
    await owner.ok('mode', { room: '#club', invite_only: false });

    // Password.
    const late = await frames({ cmd: 'guest', name: 'late' });
    await owner.ok('mode', { room: '#club', password: 'sesame' });
    expect(errorName(await late.request('join', { room: '#club' }))).toBe('ROOM_PASSWORD');
    expect(errorName(await late.request('join', { room: '#club', password: 'wrong' }))).toBe('ROOM_PASSWORD');
    expect(errorName(await late.request('history', { with: '#club' }))).toBe('NOT_IN_ROOM');
    await late.ok('join', { room: '#club', password: 'sesame' });
    expect(((await late.ok('history', { with: '#club' })) as { messages: unknown[] }).messages.length).toBeGreaterThan(0);

    // Modes and grants survive a restart.
    const dataDir = scope.server.dataDir;
    await scope.stop();
    await scope.start({ data_dir: dataDir });
    const back = await frames({ cmd: 'login', name: 'mod', password: PASSWORD });
    expect(await back.ok('mode', { room: '#club' })).toMatchObject({ modes: { password: true, topicLock: true, inviteOnly: false, moderated: false } });
  });

  it('text-mode forms: MODE flags, INVITE, MUTE', async () => {
    await scope.start();
    const owner = await text('GUEST chief');
    expect(await owner.command('CREATEROOM #tx')).toBe('OK CREATE #tx');
    expect(await owner.command('WHO #tx')).toBe('OK WHO #tx chief(owner)');
    expect(await owner.command('MODE #tx +imt')).toBe('OK MODE #tx invite_only moderated topic_lock');
    expect(await owner.command('MODE #tx -i -m +k secret')).toBe('OK MODE #tx password topic_lock');
    expect(await owner.command('MODE #tx +x')).toMatch(/^ERR 1003 BAD_ARGUMENTS Unknown mode "x"/);
    expect(await owner.command('MUTE #tx nobodyhere')).toMatch(/^ERR 3000 NO_SUCH_USER/);
    expect(await owner.command('DELETEROOM #tx')).toBe('OK DELETE #tx');
  });
});

describe('operator commands', () => {
  it('disables and enables commands (persisted, listed in SERVERHELP), broadcasts, and shows user and server info', async () => {
    await scope.start();
    const op = await frames({ cmd: 'register', name: 'op', password: PASSWORD });
    const guest = await frames({ cmd: 'guest', name: 'someone' });
    const human = await text('GUEST human');

    expect(await op.ok('disable', { command: 'NICK' })).toEqual({ command: 'nick', disabled: ['nick'] });
    expect(await guest.request('nick', { name: 'other' })).toMatchObject({ ok: false, error: { code: 1009, name: 'COMMAND_DISABLED' } });
    expect(((await guest.ok('help')) as { disabled: string[] }).disabled).toEqual(['nick']);
    human.send('SERVERHELP');
    expect(await human.expect('HELP disabled')).toBe('HELP disabled: NICK');
    expect(errorName(await op.request('disable', { command: 'help' }))).toBe('BAD_ARGUMENTS');
    expect(errorName(await op.request('disable', { command: 'frobnicate' }))).toBe('BAD_ARGUMENTS');

    expect(await op.ok('broadcast', { text: 'maintenance at noon' })).toEqual({ recipients: 3 });
    expect(await guest.event((e) => e.ev === 'notice')).toEqual({ ev: 'notice', text: '[parley] maintenance at noon' });
    expect(await human.expect('NOTICE')).toBe('NOTICE [parley] maintenance at noon');

    const seenByOp = (await op.ok('userinfo', { name: 'someone' })) as { sessions: { ip?: string }[]; rooms: { name: string; role: string }[] };
    expect(seenByOp).toMatchObject({ name: 'someone', kind: 'guest', role: 'guest', online: true, rooms: [{ name: '#general', role: 'member' }] });
    expect(seenByOp.sessions[0]?.ip).toBe('127.0.0.1');
    const seenByGuest = (await guest.ok('userinfo', { name: 'op' })) as { sessions: { ip?: string; transport: string }[] };
    expect(seenByGuest.sessions).toHaveLength(1);
    expect(seenByGuest.sessions[0]).not.toHaveProperty('ip');
    expect(await human.command('USERINFO nobodyhere')).toMatch(/^ERR 3000 NO_SUCH_USER/);

    const info = (await op.ok('serverinfo')) as Record<string, unknown>;
    expect(info).toMatchObject({ name: 'parley', connections: 3, usersOnline: 3, rooms: 1, accounts: 1 });
    expect(info.storeBytes).toBeGreaterThan(0);
    expect(info.listeners).toEqual(expect.arrayContaining([expect.stringMatching(/^tls:\/\/127\.0\.0\.1:\d+$/), expect.stringMatching(/^http:\/\//)]));

    const dataDir = scope.server.dataDir;
    await scope.stop();
    await scope.start({ data_dir: dataDir });
    const again = await frames({ cmd: 'guest', name: 'someone' });
    expect(errorName(await again.request('nick', { name: 'other' }))).toBe('COMMAND_DISABLED');
    const opAgain = await frames({ cmd: 'login', name: 'op', password: PASSWORD });
    await opAgain.ok('enable', { command: 'nick' });
    await again.ok('nick', { name: 'other' });
    const { entries } = (await opAgain.ok('audit', { limit: 20 })) as { entries: { action: string }[] };
    expect(entries.map((e) => e.action)).toEqual(['command.enable', 'broadcast', 'command.disable', 'role.grant']);
  });
});

describe('server console', () => {
  it('runs text commands through the command table with the owner role', async () => {
    await scope.start();
    const victim = await frames({ cmd: 'guest', name: 'victim' });
    const out: string[] = [];
    const console = openConsoleSession(scope.server.server.context, (chunk) => out.push(...chunk.split('\n').filter(Boolean)));
    await console.run('BROADCAST hello from the console');
    await console.run('BAN 203.0.113.0/24 1d probing');
    await console.run('LISTBANS');
    await console.run('KICK victim enough');
    console.close();
    expect(out).toEqual([
      'OK BROADCAST 1',
      expect.stringMatching(/^OK BAN server ip 203\.0\.113\.0\/24 until /),
      expect.stringMatching(/^BAN server ip 203\.0\.113\.0\/24 by console at \S+ until \S+ probing$/),
      'OK LISTBANS 1',
      'OK KICK victim',
    ]);
    expect(await victim.event((e) => e.ev === 'error')).toMatchObject({ error: { name: 'KICKED', message: 'You were kicked by console: enough' } });
    expect(scope.server.server.context.sessions.size).toBe(0);
  });
});

describe('room creation by operators only', () => {
  it('refuses CREATE and JOIN of a new room to non-operators when rooms.operators_create is set', async () => {
    await scope.start({ rooms: { operators_create: true } });
    const op = await frames({ cmd: 'register', name: 'op', password: PASSWORD });
    const user = await frames({ cmd: 'register', name: 'plain', password: PASSWORD });
    expect(errorName(await user.request('create', { room: '#new' }))).toBe('FORBIDDEN');
    expect(errorName(await user.request('join', { room: '#new' }))).toBe('FORBIDDEN');
    await op.ok('create', { room: '#new' });
    await user.ok('join', { room: '#new' });
    await user.ok('part', { room: '#new' });
    // An offline account's stored rooms show in USERINFO.
    user.close();
    type Info = { online: boolean; rooms: { name: string }[] };
    const info = await waitFor(async () => {
      const seen = (await op.ok('userinfo', { name: 'plain' })) as Info;
      return seen.online ? undefined : seen;
    }, 'plain to go offline');
    expect(info.rooms.map((r) => r.name)).toEqual(['#general']);
  });
});
