import { concatBytes } from './bytes.ts';
import { E2eError } from './errors.ts';
import { PUBLIC_KEY_BYTES } from './identity.ts';

/**
 * A safety number for two users, computed from their identity keys only: adding or removing a
 * device does not change it, and both people see the same 60 digits whatever the order of the
 * arguments. It changes when either identity key changes, which is what a user verifies.
 *
 * Construction (after Signal's numeric fingerprint, libsignal `NumericFingerprintGenerator`):
 *
 *     per user:  h = u16(version=1) || identityKey(32 raw bytes) || UTF-8(userId)
 *                repeat 5200 times: h = SHA-512(h || identityKey)
 *                30 digits = for each of the first six 5-byte chunks of h:
 *                            (chunk as a big-endian 40-bit integer) mod 100000, as 5 digits
 *     number:    the two 30-digit halves, smaller first (as strings), in 12 groups of 5
 *
 * The iterations make every attempt at a key whose half matches cost 5200 SHA-512 calls (Signal's
 * work factor), on top of the 10^30 (about 2^100) halves there are to hit. Binding the user id keeps one key's half from being reused as
 * another user's. Version 1 is Parley's; the digits are not meant to match Signal's.
 */
const VERSION = 1;
const ITERATIONS = 5200;
const DIGITS_PER_SIDE = 30;

export interface SafetyNumberParty {
  userId: string;
  identityKey: Uint8Array;
}

async function half(party: SafetyNumberParty): Promise<string> {
  if (party.identityKey.length !== PUBLIC_KEY_BYTES) throw new E2eError('E2E_BAD_KEY', 'an identity key is 32 bytes');
  const version = Uint8Array.of(VERSION >> 8, VERSION & 0xff);
  let h: Uint8Array = concatBytes(version, party.identityKey, new TextEncoder().encode(party.userId));
  for (let i = 0; i < ITERATIONS; i++) {
    h = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', concatBytes(h, party.identityKey)));
  }
  let digits = '';
  for (let chunk = 0; chunk < DIGITS_PER_SIDE / 5; chunk++) {
    let value = 0;
    // 40 bits fit a double exactly (2^53), so plain arithmetic is safe here.
    for (let i = 0; i < 5; i++) value = value * 256 + (h[chunk * 5 + i] ?? 0);
    digits += String(value % 100000).padStart(5, '0');
  }
  return digits;
}

/** "12345 67890 …": 12 groups of 5 digits, the same for both users. */
export async function safetyNumber(a: SafetyNumberParty, b: SafetyNumberParty): Promise<string> {
  const [first, second] = await Promise.all([half(a), half(b)]);
  const digits = first <= second ? first + second : second + first;
  return digits.match(/\d{5}/g)?.join(' ') ?? '';
}
