import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useServerScope, type FrameClient } from '../src/index.ts';

/**
 * Which rooms close by themselves: a room a guest created closes when its last member leaves
 * (part, kick, room ban, disconnect), like an IRC channel; accounts that joined it are members
 * while offline too, so it stays for them. Rooms created by accounts and the default rooms stay
 * until deleted. Before this rule, every room a passing guest made was listed forever.
 */
const scope = useServerScope();
const PASSWORD = 'password123';

const roomNames = async (client: FrameClient) => ((await client.ok('rooms')) as { rooms: { name: string }[] }).rooms.map((r) => r.name);

describe('rooms that close when their last member leaves', () => {
  it("closes a guest's room when everyone parts or disconnects, and keeps accounts' and default rooms", async () => {
    await scope.start();
    const owner = await scope.frames({ cmd: 'register', name: 'olga', password: PASSWORD });
    const dave = await scope.frames({ cmd: 'guest', name: 'dave' });
    const erin = await scope.frames({ cmd: 'guest', name: 'erin' });
    await dave.ok('join', { room: '#fun' });
    await erin.ok('join', { room: '#fun' });
    await erin.ok('send', { to: '#fun', text: 'hi' });
    await dave.ok('create', { room: '#quiet' });
    await owner.ok('create', { room: '#kept' });
    await owner.ok('part', { room: '#kept' });
    expect(await roomNames(owner)).toEqual(['#fun', '#general', '#kept', '#quiet']);

    // The creator leaving is not enough; the last member leaving is.
    await dave.ok('part', { room: '#fun' });
    expect(await roomNames(owner)).toContain('#fun');
    await erin.ok('part', { room: '#fun' });
    expect(await roomNames(owner)).toEqual(['#general', '#kept', '#quiet']);
    // A disconnect is a leave too.
    dave.close();
    await expect.poll(() => roomNames(owner)).toEqual(['#general', '#kept']);

    // Made again, the room starts empty, and its sequence goes on (old cursors stay valid).
    expect(await erin.ok('join', { room: '#fun' })).toMatchObject({ name: '#fun', lastSeq: 1 });
    expect(await erin.ok('history', { with: '#fun' })).toMatchObject({ messages: [] });
    // A kick is a leave: erin was its last member.
    await owner.ok('kick', { room: '#fun', name: 'erin' });
    await expect.poll(() => roomNames(owner)).toEqual(['#general', '#kept']);
    // The default room and the account's room stay empty: someone holds them.
    erin.close();
    owner.close();
    const later = await scope.frames({ cmd: 'guest' });
    await later.ok('part', { room: '#general' });
    expect(await roomNames(later)).toEqual(['#general', '#kept']);
  });

  it("keeps a guest's room while an account that joined it is offline, and after a restart", async () => {
    const { dataDir } = await scope.start();
    const dave = await scope.frames({ cmd: 'guest', name: 'dave' });
    await dave.ok('create', { room: '#shared' });
    await dave.ok('create', { room: '#passing' });
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    await alice.ok('join', { room: '#shared' });
    await alice.ok('send', { to: '#shared', text: 'kept for me' });
    alice.close();
    dave.close();
    const watcher = await scope.frames({ cmd: 'guest' });
    await expect.poll(() => roomNames(watcher)).toEqual(['#general', '#shared']);

    // A guest's room a crash left behind (no close ran) is closed at start; the rest stays.
    await scope.stop();
    const db = new Database(join(dataDir, 'parley.db'));
    db.prepare("INSERT INTO rooms (key, name, topic, created_by, created_at) VALUES ('#crashed', '#crashed', '', 'g0123456789ab1', 0)").run();
    db.close();
    await scope.start({ data_dir: dataDir });
    const back = await scope.frames({ cmd: 'login', name: 'alice', password: PASSWORD });
    expect(await roomNames(back)).toEqual(['#general', '#shared']);
    expect(await back.ok('history', { with: '#shared' })).toMatchObject({ messages: [{ text: 'kept for me' }] });
    // Its last member leaving closes it.
    await back.ok('part', { room: '#shared' });
    expect(await roomNames(back)).toEqual(['#general']);
  });
});
