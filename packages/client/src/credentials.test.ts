import { describe, expect, it } from 'vitest';
import { loginRequest, nextCredentials } from './credentials.ts';
import type { Identity } from './types.ts';

const identity = (extra: Partial<Identity> = {}): Identity => ({ name: 'alice', kind: 'account', rooms: [], ...extra });

describe('login credentials', () => {
  it('asks to be remembered only where an account signs in with its password', () => {
    expect(loginRequest({ kind: 'login', name: 'alice', password: 'pw' }, 'Firefox')).toEqual({ verb: 'login', args: { name: 'alice', password: 'pw', remember: 'Firefox' } });
    expect(loginRequest({ kind: 'register', name: 'alice', password: 'pw' }, undefined)).toEqual({ verb: 'register', args: { name: 'alice', password: 'pw' } });
    expect(loginRequest({ kind: 'token', name: 'alice', token: 't' }, 'Firefox')).toEqual({ verb: 'login', args: { name: 'alice', token: 't' } });
    expect(loginRequest({ kind: 'guest' }, 'Firefox')).toEqual({ verb: 'guest', args: {} });
  });

  it('reconnects with the issued token instead of the password', () => {
    const issued = identity({ device: { id: 3, label: 'Firefox', token: 'secret' } });
    expect(nextCredentials({ kind: 'login', name: 'alice', password: 'pw' }, issued)).toEqual({ kind: 'token', name: 'alice', token: 'secret' });
    expect(nextCredentials({ kind: 'register', name: 'alice', password: 'pw' }, issued)).toEqual({ kind: 'token', name: 'alice', token: 'secret' });
    expect(nextCredentials({ kind: 'register', name: 'Alice', password: 'pw' }, identity({ name: 'Alice' }))).toEqual({ kind: 'login', name: 'Alice', password: 'pw' });
    const token = { kind: 'token', name: 'alice', token: 'kept' } as const;
    expect(nextCredentials(token, identity({ device: { id: 3, label: 'Firefox' } }))).toEqual(token);
    expect(nextCredentials({ kind: 'guest' }, identity({ name: 'guest0007', kind: 'guest' }))).toEqual({ kind: 'guest', name: 'guest0007' });
  });
});
