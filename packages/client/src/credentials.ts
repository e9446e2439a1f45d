import type { CommandArgs } from '@parley/protocol';
import type { Channel } from './channel.ts';
import { keyProof } from './key-login.ts';
import type { Credentials, DeviceCredential, Identity } from './types.ts';

/** The login command a set of credentials sends; a device token logs in with `login` too. */
export type LoginRequest =
  | { verb: 'guest'; args: CommandArgs<'guest'> }
  | { verb: 'register'; args: CommandArgs<'register'> }
  | { verb: 'login'; args: CommandArgs<'login'> };

/**
 * `remember` (a device label) asks an account login for a device token; guests get none. A key
 * login signs this connection's challenge first, so it needs the channel.
 */
export async function loginRequest(credentials: Credentials, at: { remember: string | undefined; channel: Channel; timeoutMs: number }): Promise<LoginRequest> {
  const asked = at.remember === undefined ? {} : { remember: at.remember };
  switch (credentials.kind) {
    case 'key': {
      const verb = credentials.register ? 'register' : 'login';
      const proof = await keyProof(at.channel, credentials.key, { purpose: verb, name: credentials.name, timeoutMs: at.timeoutMs });
      return { verb, args: { name: credentials.name, ...proof, ...asked } };
    }
    case 'guest':
      return { verb: 'guest', args: credentials.name === undefined ? {} : { name: credentials.name } };
    case 'register':
      return { verb: 'register', args: { name: credentials.name, password: credentials.password, ...asked } };
    case 'login':
      return { verb: 'login', args: { name: credentials.name, password: credentials.password, ...asked } };
    case 'token':
      return { verb: 'login', args: { name: credentials.name, token: credentials.token } };
  }
}

/**
 * What the next login (after a reconnect) sends: an account registers once and logs in
 * afterwards; once the server issued a device token, the token replaces the password, so a
 * revoked device stays signed out; a guest asks for the name it has now.
 */
export function nextCredentials(credentials: Credentials, identity: Identity): Credentials {
  if (credentials.kind === 'guest') return { kind: 'guest', name: identity.name };
  // A key is a better credential than a token: it is the identity itself, and survives revocations of devices.
  if (credentials.kind === 'key') return { kind: 'key', name: identity.name, key: credentials.key };
  const issued = identity.device?.token;
  if (issued !== undefined) return { kind: 'token', name: identity.name, token: issued };
  if (credentials.kind === 'register') return { kind: 'login', name: identity.name, password: credentials.password };
  return credentials;
}

/**
 * After a login: the credentials for the next one, the identity to show (it carries no token:
 * that is a secret the application stores, from the `device` event) and the device credential
 * this client now signs in with; `issued` when this login's reply carried a new token.
 */
export function signedIn(previous: Credentials, identity: Identity): { credentials: Credentials; shown: Identity; device: DeviceCredential | undefined; issued: boolean } {
  const granted = identity.device;
  const shown: Identity = granted ? { ...identity, device: { id: granted.id, label: granted.label } } : identity;
  const token = granted?.token ?? (previous.kind === 'token' ? previous.token : undefined);
  const device = granted && token !== undefined ? { id: granted.id, label: granted.label, token } : undefined;
  return { credentials: nextCredentials(previous, identity), shown, device, issued: granted?.token !== undefined };
}
