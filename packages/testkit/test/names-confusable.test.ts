import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Reply } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { useServerScope, type FrameClient } from '../src/index.ts';
import { undoMigrationsAfter0004 } from './sqlite-old-schema.ts';

/**
 * Lookalike names: "аlice" with a Cyrillic а rendered exactly like "alice" and was accepted
 * beside it, for guests and accounts alike; so were names of invisible Hangul fillers.
 */
const scope = useServerScope();

const CYRILLIC_ALICE = '\u0430lice';
const PASSWORD = 'correct horse battery';
const errorOf = (reply: Reply) => (reply.ok ? undefined : reply.error);

const connect = (login: Parameters<typeof scope.frames>[0] = false): Promise<FrameClient> => scope.frames(login);

describe('lookalike user names', () => {
  it('refuses a guest and a registration "аlice" (Cyrillic а) with NAME_TAKEN while alice is online or registered', async () => {
    await scope.start();
    const alice = await connect({ cmd: 'guest', name: 'alice' });
    const other = await connect();
    expect(errorOf(await other.request('guest', { name: CYRILLIC_ALICE }))).toMatchObject({ name: 'NAME_TAKEN', code: 2003 });
    expect(errorOf(await other.request('register', { name: CYRILLIC_ALICE, password: PASSWORD }))).toMatchObject({ name: 'NAME_TAKEN' });
    alice.close();

    await connect({ cmd: 'register', name: 'bob', password: PASSWORD }).then((c) => c.close());
    await expect.poll(() => scope.server.server.context.users.findByName('bob')).toBeUndefined();
    const later = await connect();
    for (const lookalike of ['b\u043eb', 'b\u03bfb', 'B\u041eB']) {
      expect(errorOf(await later.request('register', { name: lookalike, password: PASSWORD }))?.name, lookalike).toBe('NAME_TAKEN');
      expect(errorOf(await later.request('guest', { name: lookalike }))?.name, lookalike).toBe('NAME_TAKEN');
    }
    // A direct message to the lookalike reaches the real holder; logging in by it finds bob's account.
    expect(await later.request('login', { name: 'b\u043eb', password: PASSWORD })).toMatchObject({ ok: true, data: { name: 'bob' } });
  });

  it('refuses invisible and small-capital names with NAME_INVALID, for guests, accounts and renames', async () => {
    await scope.start();
    const c = await connect();
    for (const name of ['\u3164', '\u3164\u3164', '\u115f', '\uffa0', 'alice\u3164', '\u1d00lice']) {
      expect(errorOf(await c.request('guest', { name }))?.name, JSON.stringify(name)).toBe('NAME_INVALID');
      expect(errorOf(await c.request('register', { name, password: PASSWORD }))?.name, JSON.stringify(name)).toBe('NAME_INVALID');
    }
    await c.ok('guest', { name: 'carol' });
    expect(errorOf(await c.request('nick', { name: 'carol\u3164' }))?.name).toBe('NAME_INVALID');
  });

  it('keeps ordinary names of other scripts apart', async () => {
    await scope.start();
    for (const name of ['Zoë', 'Jürgen', 'Алиса', '李雷', 'alice']) await connect({ cmd: 'guest', name });
    expect([...scope.server.server.context.users.all()].map((u) => u.name).sort()).toEqual(['alice', 'Jürgen', 'Zoë', 'Алиса', '李雷'].sort());
  });
});

describe('lookalike room names', () => {
  it('JOIN of "#gеneral" (Cyrillic е) joins #general; CREATE of it is ROOM_EXISTS; a filler room is ROOM_INVALID', async () => {
    await scope.start();
    const c = await connect({ cmd: 'guest', name: 'dave' });
    await c.ok('part', { room: '#general' });
    expect(await c.request('join', { room: '#g\u0435neral' })).toMatchObject({ ok: true, data: { name: '#general', conv: '#general' } });
    const exists = errorOf(await c.request('create', { room: '#g\u0435neral' }));
    expect(exists).toMatchObject({ name: 'ROOM_EXISTS' });
    expect(exists?.message).toContain('#general');
    expect(errorOf(await c.request('join', { room: '#\u3164' }))?.name).toBe('ROOM_INVALID');
    expect(scope.server.server.context.rooms.list().map((r) => r.key)).toEqual(['#general']);
  });
});

describe('upgrading a data dir with keys from before the lookalike fold', () => {
  it('recomputes account, ban and guest-mute keys; a lookalike pair keeps both accounts usable', async () => {
    const { dataDir } = await scope.start();
    for (const name of ['alice', 'pair', 'Алиса', 'mallory']) await connect({ cmd: 'register', name, password: `${name} ${PASSWORD}` }).then((c) => c.close());
    await scope.stop();

    // Rewrite the file to what the previous Parley left: keys were the case fold alone, and a
    // lookalike "аlice" could be registered beside "alice".
    const db = new Database(join(dataDir, 'parley.db'));
    db.prepare("UPDATE accounts SET name = ?, name_key = ? WHERE name = 'pair'").run(CYRILLIC_ALICE, CYRILLIC_ALICE);
    db.prepare("UPDATE accounts SET name_key = 'алиса' WHERE name = 'Алиса'").run();
    const ban = db.prepare("INSERT INTO bans (scope, kind, value, reason, created_by, created_at, expires_at) VALUES (?, 'account', ?, '', 'op', 0, ?)");
    ban.run('server', 'm\u0430llory', null); // Cyrillic а: the old key of a lookalike of mallory
    ban.run('#general', 'b\u043eb', null);
    ban.run('#general', 'bob', 1); // the same target once folded; the permanent ban outlasts it
    db.prepare("INSERT INTO room_grants (room_key, user_id, kind, granted_by, granted_at) VALUES ('#general', ?, 'muted', 'op', 0)").run('guest:\u0435ve');
    // As if 0003 and everything after it had never run (0004 added messages.kind, 0005 dm_participants, 0006 devices, … 0009 the e2e tables).
    undoMigrationsAfter0004(db);
    db.prepare("DELETE FROM kysely_migration WHERE name >= '0003'").run();
    db.prepare('ALTER TABLE messages DROP COLUMN kind').run();
    db.close();

    const store = (await scope.start({ data_dir: dataDir })).server.context.store;
    expect((await store.findAccount('aлᴎca'))?.name).toBe('Алиса');
    expect((await store.findAccount('alice'))?.name).toBe('alice');
    expect((await store.findAccount(CYRILLIC_ALICE))?.name).toBe(CYRILLIC_ALICE); // kept its old key
    const bans = await store.listBans();
    expect(bans.filter((b) => b.kind === 'account').map((b) => [b.scope, b.value, b.expiresAt ?? null])).toEqual(
      expect.arrayContaining([['server', 'mallory', null], ['#general', 'bob', null]]),
    );
    expect(bans.filter((b) => b.kind === 'account')).toHaveLength(2);
    expect((await store.listRoomGrants()).map((g) => g.userId)).toContain('guest:eve');
    const audit = await store.listAudit({ limit: 20 });
    expect(audit.find((e) => e.action === 'account.lookalike')).toMatchObject({ target: CYRILLIC_ALICE });

    // Both of the pair log in with their own passwords; Алиса by any case; mallory is banned.
    const first = await connect();
    expect(await first.request('login', { name: 'alice', password: `alice ${PASSWORD}` })).toMatchObject({ ok: true, data: { name: 'alice' } });
    first.close();
    await expect.poll(() => scope.server.server.context.users.findByName('alice')).toBeUndefined();
    expect(await (await connect()).request('login', { name: CYRILLIC_ALICE, password: `pair ${PASSWORD}` })).toMatchObject({ ok: true, data: { name: CYRILLIC_ALICE } });
    expect(await (await connect()).request('login', { name: 'АЛИСА', password: `Алиса ${PASSWORD}` })).toMatchObject({ ok: true, data: { name: 'Алиса' } });
    expect(errorOf(await (await connect()).request('login', { name: 'mallory', password: `mallory ${PASSWORD}` }))?.name).toBe('BANNED');
    // No new lookalike of any of them can be registered.
    const late = await connect();
    for (const name of ['ALICE', '\u0410lice', 'a\u043b\u0438\u0441\u0430']) {
      expect(errorOf(await late.request('register', { name, password: PASSWORD }))?.name, name).toBe('NAME_TAKEN');
    }
  });
});
