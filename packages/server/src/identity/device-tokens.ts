import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device tokens: the secret a device keeps to sign in without the password. 32 bytes from the
 * CSPRNG, base64url (43 characters). The store keeps only its SHA-256: a random 256-bit token
 * cannot be guessed or brute-forced from its hash, so a slow password hash would only cost
 * every sign-in time for nothing.
 */
const TOKEN_BYTES = 32;

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newDeviceToken(): { token: string; tokenHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashDeviceToken(token) };
}

/**
 * The record whose hash is the token's, compared in constant time so the time a refusal takes
 * says nothing about how much of a hash matched. Every record is compared (no early exit).
 */
export function matchDeviceToken<TRecord extends { tokenHash: string }>(records: readonly TRecord[], token: string): TRecord | undefined {
  const presented = Buffer.from(hashDeviceToken(token), 'hex');
  let found: TRecord | undefined;
  for (const record of records) {
    const stored = Buffer.from(record.tokenHash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) found ??= record;
  }
  return found;
}
