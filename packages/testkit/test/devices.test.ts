import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DeviceGrant, DeviceInfo, Reply, WireError } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { FrameClient, useServerScope } from '../src/index.ts';

/**
 * Device credentials ("stay signed in"): issued at login, used instead of the password, listed
 * and revoked by their owner or an operator, over real sockets to a real server.
 */
const scope = useServerScope();
const PASSWORD = 'correct-horse';
const errorOf = (reply: Reply): WireError | undefined => (reply.ok ? undefined : reply.error);

/** A connection past hello, not logged in. */
const anonymous = () => scope.frames(false);

async function signIn(cmd: 'register' | 'login', args: Record<string, unknown>): Promise<{ client: FrameClient; device: DeviceGrant | undefined }> {
  const client = await anonymous();
  const data = await client.ok(cmd, args);
  return { client, device: data.device as DeviceGrant | undefined };
}

/** Registers `name` (the first account is the server's owner), remembered as `label` when given. */
async function account(name: string, label?: string) {
  return signIn('register', { name, password: PASSWORD, ...(label === undefined ? {} : { remember: label }) });
}

async function devicesOf(client: FrameClient, name?: string): Promise<DeviceInfo[]> {
  const data = await client.ok('devices', name === undefined ? {} : { name });
  return data.devices as DeviceInfo[];
}

async function revokedEvent(client: FrameClient): Promise<WireError> {
  const event = await client.event((e) => e.ev === 'error');
  await client.waitClosed();
  return (event as { error: WireError }).error;
}

describe('device credentials', () => {
  it('are issued to an account that asks, and sign in without the password until revoked', async () => {
    await scope.start();
    const first = await account('alice', 'Firefox on Linux');
    expect(first.device).toMatchObject({ label: 'Firefox on Linux' });
    const token = first.device!.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A password login that does not ask gets none; one that asks gets a second device.
    expect((await signIn('login', { name: 'alice', password: PASSWORD })).device).toBeUndefined();
    const second = await signIn('login', { name: 'ALICE', password: PASSWORD, remember: 'Phone' });
    expect(second.device).toMatchObject({ label: 'Phone' });
    expect(second.device!.id).toBeGreaterThan(first.device!.id);

    // The token logs in (any case of the name), says which device it is, and never comes back.
    const byToken = await signIn('login', { name: 'Alice', token });
    expect(byToken.device).toEqual({ id: first.device!.id, label: 'Firefox on Linux' });
    const listed = await devicesOf(byToken.client);
    expect(listed.map((d) => [d.id, d.label, d.current])).toEqual([
      [first.device!.id, 'Firefox on Linux', true],
      [second.device!.id, 'Phone', undefined],
    ]);
    expect(listed[0]!.lastAddress).toBe('127.0.0.1');
    expect(listed[0]!.lastUsed).toBeGreaterThanOrEqual(listed[0]!.created);
    expect(JSON.stringify(listed)).not.toContain(token);

    // Guests get none, whatever they ask, and have none to list.
    const guest = await anonymous();
    expect((await guest.ok('guest', { name: 'visitor', remember: 'Laptop' })).device).toBeUndefined();
    expect(errorOf(await guest.request('devices'))).toMatchObject({ code: 2005, name: 'FORBIDDEN' });

    const audit = (await first.client.ok('audit', { limit: 20 })).entries as { action: string; target: string }[];
    expect(audit.filter((e) => e.action === 'device.issue').map((e) => e.target)).toEqual(['alice', 'alice']);
  });

  it('refuses a wrong, foreign or unknown token with TOKEN_INVALID, as a failed login', async () => {
    await scope.start();
    const alice = await account('alice', 'Laptop');
    const bob = await account('bob', 'Phone');
    const client = await anonymous();
    const refusals = [
      await client.request('login', { name: 'alice', token: 'A'.repeat(43) }),
      await client.request('login', { name: 'alice', token: bob.device!.token }),
      await client.request('login', { name: 'nobody', token: alice.device!.token }),
    ];
    for (const reply of refusals) expect(errorOf(reply)).toMatchObject({ code: 2011, name: 'TOKEN_INVALID', action: 'fix' });
    // The connection is still usable: the right token works on it.
    expect((await client.ok('login', { name: 'alice', token: alice.device!.token })).name).toBe('alice');
    const audit = (await alice.client.ok('audit', { limit: 20 })).entries as { action: string; target: string; detail: string }[];
    const failed = audit.filter((e) => e.action === 'login.failed');
    expect(failed.map((e) => e.target).sort()).toEqual(['alice', 'alice', 'nobody']);
    expect(failed.every((e) => JSON.parse(e.detail).credential === 'token')).toBe(true);
  });

  it('revoking a device closes its live connections with a stop error, and its token stops working', async () => {
    await scope.start();
    const alice = await account('alice', 'Laptop');
    const phone = await signIn('login', { name: 'alice', password: PASSWORD, remember: 'Phone' });
    const laptop = await signIn('login', { name: 'alice', token: alice.device!.token });
    const other = await signIn('login', { name: 'alice', token: phone.device!.token });

    const reply = await other.client.ok('revoke', { device: alice.device!.id });
    // Two connections used the laptop's device: the one it was issued to, and the token login.
    expect(reply).toEqual({ id: alice.device!.id, name: 'alice', label: 'Laptop', sessions: 2 });
    for (const closed of [alice.client, laptop.client]) {
      expect(await revokedEvent(closed)).toMatchObject({ code: 2012, name: 'DEVICE_REVOKED', action: 'stop', message: 'This device was signed out from another of your devices' });
    }
    // Connections of other devices stay.
    expect((await other.client.ok('ping', { token: 'still' })).token).toBe('still');
    expect((await phone.client.ok('ping', {})).token).toBe('');
    expect(errorOf(await (await anonymous()).request('login', { name: 'alice', token: alice.device!.token }))?.name).toBe('TOKEN_INVALID');
    expect((await devicesOf(other.client)).map((d) => d.label)).toEqual(['Phone']);
    expect(errorOf(await other.client.request('revoke', { device: alice.device!.id }))).toMatchObject({ code: 2013, name: 'NO_SUCH_DEVICE' });

    // Revoking the device a connection signed in with signs that connection out, after its reply.
    const own = await other.client.request('revoke', { device: phone.device!.id });
    expect(own).toMatchObject({ ok: true, data: { id: phone.device!.id, sessions: 2 } });
    expect(await revokedEvent(other.client)).toMatchObject({ name: 'DEVICE_REVOKED', message: 'You signed this device out' });
    await phone.client.waitClosed();

    const owner = await signIn('login', { name: 'alice', password: PASSWORD });
    const audit = (await owner.client.ok('audit', { limit: 20 })).entries as { actor: string; action: string; target: string; detail: string }[];
    const revokes = audit.filter((e) => e.action === 'device.revoke');
    expect(revokes.map((e) => [e.actor, e.target, JSON.parse(e.detail).label])).toEqual([
      ['alice', 'alice', 'Phone'],
      ['alice', 'alice', 'Laptop'],
    ]);
  });

  it("operators list and revoke other people's devices, below their own rank only", async () => {
    await scope.start();
    const owner = await account('olivia', 'Desk');
    const operator = await account('oscar', 'Laptop');
    const bob = await account('bob', 'Phone');
    const carol = await account('carol', 'Tablet');
    await owner.client.ok('grant', { name: 'oscar', role: 'operator' });

    // The operator sees bob's devices and signs bob's phone out.
    expect((await devicesOf(operator.client, 'bob')).map((d) => [d.id, d.label, d.lastAddress])).toEqual([[bob.device!.id, 'Phone', '127.0.0.1']]);
    expect(await operator.client.ok('revoke', { device: bob.device!.id })).toMatchObject({ name: 'bob', label: 'Phone', sessions: 1 });
    expect(await revokedEvent(bob.client)).toMatchObject({ name: 'DEVICE_REVOKED', message: 'An operator (oscar) signed this device out' });

    // Not the owner's: equal or higher rank is refused, listing and revoking alike.
    expect(errorOf(await operator.client.request('devices', { name: 'olivia' }))).toMatchObject({ code: 2005, name: 'FORBIDDEN' });
    expect(errorOf(await operator.client.request('revoke', { device: owner.device!.id }))).toMatchObject({ code: 2005, name: 'FORBIDDEN' });
    // The owner outranks the operator.
    expect((await devicesOf(owner.client, 'oscar')).map((d) => d.label)).toEqual(['Laptop']);

    // A plain user sees only their own; someone else's device id is "no such device".
    expect(errorOf(await carol.client.request('devices', { name: 'olivia' }))).toMatchObject({ code: 2005, name: 'FORBIDDEN' });
    expect(errorOf(await carol.client.request('revoke', { device: operator.device!.id }))).toMatchObject({ code: 2013, name: 'NO_SUCH_DEVICE' });
    expect((await devicesOf(carol.client, 'Carol')).map((d) => d.label)).toEqual(['Tablet']);
    expect(errorOf(await owner.client.request('devices', { name: 'nobody' }))?.name).toBe('NO_SUCH_USER');

    const audit = (await owner.client.ok('audit', { limit: 50 })).entries as { actor: string; action: string; target: string }[];
    expect(audit.filter((e) => e.action === 'device.revoke').map((e) => [e.actor, e.target])).toEqual([['oscar', 'bob']]);
    // The operator's view of bob's devices was empty after the revoke.
    expect(await devicesOf(operator.client, 'bob')).toEqual([]);
  });

  it('keeps only a SHA-256 of each token in the database file', async () => {
    const server = await scope.start();
    const alice = await account('alice', 'Laptop');
    const token = alice.device!.token!;
    await signIn('login', { name: 'alice', token });
    const file = join(server.dataDir, 'parley.db');
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM devices').all() as Record<string, unknown>[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ label: 'Laptop', token_hash: createHash('sha256').update(token).digest('hex'), last_address: '127.0.0.1' });
      expect(Object.values(rows[0]!).map(String)).not.toContain(token);
    } finally {
      db.close();
    }
    // Nowhere in the file or its write-ahead log either, in any encoding a token could take.
    for (const path of [file, `${file}-wal`].filter((p) => existsSync(p))) {
      const bytes = readFileSync(path);
      expect(bytes.includes(Buffer.from(token))).toBe(false);
      expect(bytes.includes(Buffer.from(token, 'base64url'))).toBe(false);
    }
  });

  it('counts wrong tokens toward the login lockout', async () => {
    await scope.start({ limits: { login_failures_before_lockout: 3, login_lockout_ms: 60_000 }, moderation: { exempt_addresses: [] } });
    const alice = await account('alice', 'Laptop');
    const attacker = await anonymous();
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push(errorOf(await attacker.request('login', { name: 'alice', token: `guess${i}` }))?.name ?? 'ok');
    expect(codes).toEqual(['TOKEN_INVALID', 'TOKEN_INVALID', 'TOKEN_INVALID', 'LOGIN_LOCKED']);
    // Locked for the password and the right token too (checked before either), from any address.
    expect(errorOf(await attacker.request('login', { name: 'alice', password: PASSWORD }))?.name).toBe('LOGIN_LOCKED');
    const elsewhere = await scope.frames(false, { localAddress: '127.0.0.2' });
    expect(errorOf(await elsewhere.request('login', { name: 'alice', token: alice.device!.token }))).toMatchObject({ name: 'LOGIN_LOCKED', action: 'retry' });
  });

  it('answers bad input with coded errors and keeps running', async () => {
    await scope.start();
    const alice = await account('alice', 'Laptop');
    const client = await anonymous();
    const bad = [
      { name: 'alice', password: PASSWORD, token: alice.device!.token },
      { name: 'alice' },
      { name: 'alice', token: 42 },
      { name: 'alice', token: '' },
      { name: 'alice', token: 'x'.repeat(129) },
      { name: 'alice', password: PASSWORD, remember: 'x'.repeat(65) },
      { name: 'alice', password: PASSWORD, remember: '' },
      { name: 'alice', password: PASSWORD, remember: 'two\nlines' },
      { name: 'alice', password: PASSWORD, remember: 7 },
      { name: 'alice', token: alice.device!.token, remember: 'again' },
    ];
    for (const args of bad) expect(errorOf(await client.request('login', args)), JSON.stringify(args)).toMatchObject({ code: 1003, name: 'BAD_ARGUMENTS' });
    expect(errorOf(await client.request('register', { name: 'bob', password: PASSWORD, remember: 'x'.repeat(65) }))?.name).toBe('BAD_ARGUMENTS');
    // A label at the limit, in any script, is fine.
    expect((await client.ok('login', { name: 'alice', password: PASSWORD, remember: 'ü'.repeat(64) })).device).toMatchObject({ label: 'ü'.repeat(64) });

    for (const device of ['1', 0, -1, 1.5, null]) expect(errorOf(await client.request('revoke', { device })), String(device)).toMatchObject({ name: 'BAD_ARGUMENTS' });
    expect(errorOf(await client.request('revoke', {}))?.name).toBe('BAD_ARGUMENTS');
    // The frame's request id and the device id are separate fields.
    expect(await client.request('revoke', { device: 999_999 })).toMatchObject({ re: expect.any(Number), ok: false, error: { code: 2013, name: 'NO_SUCH_DEVICE', action: 'fix' } });
    expect(errorOf(await client.request('devices', { name: 5 }))?.name).toBe('BAD_ARGUMENTS');
    expect(errorOf(await (await anonymous()).request('devices'))?.name).toBe('NOT_LOGGED_IN');
    expect((await client.ok('ping', { token: 'alive' })).token).toBe('alive');
  });

  it('DEVICES and REVOKE work in text mode', async () => {
    await scope.start();
    const alice = await account('alice', 'Firefox on Linux');
    const text = await scope.text();
    expect(await text.command(`LOGIN alice ${PASSWORD}`)).toMatch(/^OK welcome alice/);
    text.send('DEVICES');
    const line = await text.expect(/^DEVICE /);
    expect(line).toMatch(new RegExp(`^DEVICE ${alice.device!.id} \\d{4}-\\d\\d-\\d\\dT\\S+Z \\S+Z 127\\.0\\.0\\.1 - Firefox on Linux$`));
    expect(await text.expect(/^(OK|ERR)/)).toBe('OK DEVICES alice 1');
    expect(await text.command('/revoke')).toBe('ERR 1003 BAD_ARGUMENTS Usage: /revoke <device id>');
    expect(await text.command('REVOKE laptop')).toMatch(/^ERR 1003 BAD_ARGUMENTS revoke: device: /);
    expect(await text.command('REVOKE 424242')).toMatch(/^ERR 2013 NO_SUCH_DEVICE /);
    expect(await text.command(`REVOKE ${alice.device!.id}`)).toBe(`OK REVOKE ${alice.device!.id} alice 1`);
    expect(await revokedEvent(alice.client)).toMatchObject({ name: 'DEVICE_REVOKED' });
    expect(await text.command('DEVICES')).toBe('OK DEVICES alice 0');
  });
});
