import { foldName, nameKey, ParleyError } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { matchDeviceToken } from '../identity/device-tokens.ts';
import { verifyAgainstDummy, verifyPassword } from '../identity/passwords.ts';
import { audit } from '../moderation/audit.ts';
import { normalizeIp } from '../moderation/ban-target.ts';
import { accountLoginKey, ipLoginKey } from '../moderation/login-guard.ts';
import type { Account, DeviceRecord } from '../store/store.ts';

/**
 * What a login presents: the account's password, a device token it was issued, or one of its
 * login keys with whether its signature of the challenge verified (key-proof-check.ts).
 */
export type LoginProof = { password: string } | { token: string } | { key: string; signed: boolean };

/**
 * The account a login names. Its key is the lookalike key, except for an account registered
 * before lookalikes were folded whose new key an older lookalike account already had: that one
 * kept its old key (the case fold, see migration-0003-lookalike-keys.ts), so its exact name is
 * tried first. Only such accounts have a stored key that differs from the lookalike key.
 */
async function findLoginAccount(server: ServerContext, name: string): Promise<Account | undefined> {
  const key = nameKey(name);
  const folded = foldName(name);
  if (folded !== key) {
    const exact = await server.store.findAccount(folded);
    if (exact && foldName(exact.name) === folded) return exact;
  }
  return server.store.findAccount(key);
}

/** The password's account, or the token's device (and its account); undefined when the proof fails. */
async function verify(server: ServerContext, name: string, proof: LoginProof): Promise<{ account: Account; device?: DeviceRecord } | undefined> {
  const account = await findLoginAccount(server, name);
  if ('key' in proof) {
    const record = proof.signed && account ? await server.store.keys.find(proof.key) : undefined;
    return account && record?.accountId === account.id ? { account } : undefined;
  }
  if ('token' in proof) {
    // A token is 256 random bits: comparing it costs microseconds, with or without an account.
    const device = account ? matchDeviceToken(await server.store.devices.listFor(account.id), proof.token) : undefined;
    return account && device ? { account, device } : undefined;
  }
  // Unknown names cost a hash too, so the time taken does not say whether an account exists
  // (the error is the same either way).
  // An account made with a key alone has no password hash, and takes as long to refuse one.
  const ok = account && account.passwordHash !== '' ? await verifyPassword(account.passwordHash, proof.password) : await verifyAgainstDummy(proof.password, server.config.accounts.password_hash);
  return account && ok ? { account } : undefined;
}

/**
 * Checks a login under the failed-login lockout, whichever proof it brings: a wrong device
 * token is a failed login like a wrong password (same keys, same audit entry), so a stolen
 * name cannot be used to guess tokens at leisure either. Throws LOGIN_LOCKED, BAD_CREDENTIALS
 * (password) or TOKEN_INVALID (token: the client should ask for the password, not retry).
 */
export async function checkLogin(server: ServerContext, session: Session, { name, proof }: { name: string; proof: LoginProof }): Promise<{ account: Account; device?: DeviceRecord }> {
  const { logins } = server.moderation;
  const ip = normalizeIp(session.transport.remoteAddress);
  // An exempt address (a local reverse proxy, say) stands for many clients: lock accounts only.
  const keys = [accountLoginKey(nameKey(name)), ...(server.moderation.isExempt(ip) ? [] : [ipLoginKey(ip)])];
  // Refused before hashing anything: a locked-out brute force costs the server nothing.
  // An admitted attempt holds a slot on its keys until it is settled (login-guard.ts).
  const attempt = logins.begin(keys);
  if (typeof attempt === 'number') throw new ParleyError('LOGIN_LOCKED', 'Too many failed logins; wait before trying again', { retryAfterMs: attempt });
  try {
    const verified = await verify(server, name, proof);
    if (!verified) {
      const lockout = attempt.fail();
      const credential = 'token' in proof ? 'token' : 'key' in proof ? 'key' : undefined;
      const detail = { ...(credential ? { credential } : {}), ...(lockout > 0 ? { lockoutMs: lockout } : {}) };
      await audit(server, { actor: ip, action: 'login.failed', target: name.slice(0, 64), ...(Object.keys(detail).length > 0 ? { detail } : {}) });
      if ('token' in proof) throw new ParleyError('TOKEN_INVALID', 'This device is no longer signed in (its token was revoked or is unknown); sign in with the password');
      if ('key' in proof) throw new ParleyError('BAD_CREDENTIALS', 'Unknown account, or a key or signature that does not sign in to it');
      throw new ParleyError('BAD_CREDENTIALS', 'Unknown account or wrong password');
    }
    attempt.succeed(keys[0]!);
    return verified;
  } finally {
    attempt.release();
  }
}
