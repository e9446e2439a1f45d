import type { Reply } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { sleep, useServerScope, type FrameClient } from '../src/index.ts';

/**
 * The login lockout must hold against parallel guessing: the lockout check happens before the
 * slow password hash and the failure is recorded after it, so without counting attempts in
 * flight, N simultaneous wrong passwords were all checked (20 of 20 with a limit of 5).
 */
const scope = useServerScope();

const PASSWORD = 'correct horse battery';
const errorOf = (reply: Reply) => (reply.ok ? undefined : reply.error);

const from = (localAddress: string, login: Parameters<typeof scope.frames>[0] = false): Promise<FrameClient> => scope.frames(login, { localAddress });

describe('login lockout under parallel guessing', () => {
  it('20 simultaneous wrong passwords from 20 addresses: at most 5 are checked, the rest are LOGIN_LOCKED; the right password works after the lockout', async () => {
    // argon2id as in production; per-address lockouts on (loopback is exempt by default), so
    // the account key is what stops the 20 addresses, each of which tries once.
    const server = await scope.start({
      accounts: { password_hash: 'argon2id' },
      limits: { login_failures_before_lockout: 5, login_lockout_ms: 1500, login_lockout_max_ms: 60_000, flood_disconnect_after: 100 },
      moderation: { exempt_addresses: [] },
    });
    (await from('127.0.0.1', { cmd: 'register', name: 'victim', password: PASSWORD })).close();

    const attackers = await Promise.all(Array.from({ length: 20 }, (_, i) => from(`127.0.0.${i + 2}`)));
    // All frames written before any reply can come back: every login is in flight at once.
    const replies = await Promise.all(attackers.map((c, i) => c.request('login', { name: 'victim', password: `guess-${i}` }, 20_000)));
    const names = replies.map((r) => errorOf(r)?.name ?? 'ok');
    const checked = names.filter((n) => n === 'BAD_CREDENTIALS').length;
    expect(names.filter((n) => n !== 'BAD_CREDENTIALS' && n !== 'LOGIN_LOCKED'), names.join(' ')).toEqual([]);
    expect(checked, names.join(' ')).toBeGreaterThan(0);
    expect(checked, names.join(' ')).toBeLessThanOrEqual(5);
    for (const r of replies) {
      const e = errorOf(r);
      if (e?.name === 'LOGIN_LOCKED') expect(e.retryAfterMs).toBeGreaterThan(0);
    }
    const audit = await server.server.context.store.listAudit({ limit: 100 });
    expect(audit.filter((e) => e.action === 'login.failed').length).toBe(checked);

    // The owner, from a fresh address: locked out at first (unless the machine was so slow the
    // lockout already ran out), then let in once it expires.
    const owner = await from('127.0.0.30');
    let reply = await owner.request('login', { name: 'victim', password: PASSWORD }, 20_000);
    for (let tries = 0; !reply.ok && tries < 5; tries++) {
      const e = errorOf(reply)!;
      expect(e.name).toBe('LOGIN_LOCKED');
      await sleep(e.retryAfterMs! + 20);
      reply = await owner.request('login', { name: 'victim', password: PASSWORD }, 20_000);
    }
    expect(reply).toMatchObject({ ok: true, data: { name: 'victim', kind: 'account' } });
  });
});
