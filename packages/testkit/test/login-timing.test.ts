import { describe, expect, it } from 'vitest';
import { useServerScope } from '../src/index.ts';

/**
 * A failed login must not tell, by how long it took, whether the account exists: a wrong
 * password for an existing account used to take one password hash (25-35 ms with argon2id),
 * an unknown name none (under 1 ms). Unknown names are now checked against a dummy hash.
 */
const scope = useServerScope();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('login timing', () => {
  for (const algorithm of ['argon2id', 'scrypt'] as const) {
    it(`${algorithm}: an unknown name takes about as long to refuse as a wrong password`, async () => {
      // High lockout limits: this test fails on purpose 24 times and must never be LOGIN_LOCKED.
      await scope.start({
        accounts: { password_hash: algorithm },
        limits: { login_failures_before_lockout: 1000, commands_per_minute_per_connection: 6000 },
      });
      await scope.frames({ cmd: 'register', name: 'alice', password: 'right password' });
      const prober = await scope.frames(false);

      const timed = async (name: string) => {
        const started = performance.now();
        const reply = await prober.request('login', { name, password: 'wrong password' }, 20_000);
        const ms = performance.now() - started;
        expect(reply).toMatchObject({ ok: false, error: { name: 'BAD_CREDENTIALS' } });
        return ms;
      };
      // One of each first, unmeasured (a lazily made dummy hash, JIT warm-up).
      await timed('alice');
      await timed('nobody-here');
      const known: number[] = [];
      const unknown: number[] = [];
      // Interleaved, so a burst of load from other processes hits both sides alike.
      for (let i = 0; i < 11; i++) {
        known.push(await timed('alice'));
        unknown.push(await timed(`stranger${i}`));
      }
      const detail = `known ${known.map((t) => t.toFixed(1)).join(' ')} | unknown ${unknown.map((t) => t.toFixed(1)).join(' ')}`;
      expect(median(unknown), detail).toBeGreaterThanOrEqual(median(known) / 2);
      expect(median(known), detail).toBeLessThanOrEqual(median(unknown) * 2);
    });
  }
});
