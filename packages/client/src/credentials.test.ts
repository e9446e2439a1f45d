import { describe, expect, it } from 'vitest';
import { loginRequest, nextCredentials } from './credentials.ts';
import type { Channel } from './channel.ts';
import type { Identity } from './types.ts';

// Only a key login talks to the server before its login command.
const at = (remember: string | undefined) => ({ remember, channel: undefined as unknown as Channel, timeoutMs: 1000 });

const identity = (extra: Partial<Identity> = {}): Identity => ({ name: 'alice', id: 'a1', kind: 'account', rooms: [], ...extra });

describe('login credentials', () => {
  it('asks to be remembered only where an account signs in with its password', async () => {
    expect(await loginRequest({ kind: 'login', name: 'alice', password: 'pw' }, at('Firefox'))).toEqual({ verb: 'login', args: { name: 'alice', password: 'pw', remember: 'Firefox' } });
    expect(await loginRequest({ kind: 'register', name: 'alice', password: 'pw' }, at(undefined))).toEqual({ verb: 'register', args: { name: 'alice', password: 'pw' } });
    expect(await loginRequest({ kind: 'token', name: 'alice', token: 't' }, at('Firefox'))).toEqual({ verb: 'login', args: { name: 'alice', token: 't' } });
    expect(await loginRequest({ kind: 'guest' }, at('Firefox'))).toEqual({ verb: 'guest', args: {} });
  });

  it('reconnects with the issued token instead of the password', () => {
    const issued = identity({ device: { id: 3, label: 'Firefox', token: 'secret' } });
    expect(nextCredentials({ kind: 'login', name: 'alice', password: 'pw' }, issued)).toEqual({ kind: 'token', name: 'alice', token: 'secret' });
    expect(nextCredentials({ kind: 'register', name: 'alice', password: 'pw' }, issued)).toEqual({ kind: 'token', name: 'alice', token: 'secret' });
    expect(nextCredentials({ kind: 'register', name: 'Alice', password: 'pw' }, identity({ name: 'Alice' }))).toEqual({ kind: 'login', name: 'Alice', password: 'pw' });
    const token = { kind: 'token', name: 'alice', token: 'kept' } as const;
    expect(nextCredentials(token, identity({ device: { id: 3, label: 'Firefox' } }))).toEqual(token);
    expect(nextCredentials({ kind: 'guest' }, identity({ name: 'guest0007', kind: 'guest' }))).toEqual({ kind: 'guest', name: 'guest0007' });
    // A key stays the credential, even after a device token was issued; registering happens once.
    const key = { publicKey: 'k', sign: async () => new Uint8Array(64) };
    expect(nextCredentials({ kind: 'key', name: 'alice', key, register: true }, issued)).toEqual({ kind: 'key', name: 'alice', key });
  });
});
