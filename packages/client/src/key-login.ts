import { keyProofPayload, type CommandArgs, type KeyProofPurpose } from '@parley/protocol';
import type { Channel } from './channel.ts';
import { ParleyClientError } from './errors.ts';

/**
 * A key that signs in (docs/protocol.md, "Keys"): its Ed25519 public key as 43 base64url
 * characters, and a way to sign with it. The private key stays wherever `sign` keeps it (a file
 * read by `nodeLoginKey`, a non-extractable WebCrypto key in a browser).
 */
export interface LoginKey {
  publicKey: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** base64url without padding, in any JavaScript (no Buffer). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Asks this connection's challenge and signs it for `purpose`: the arguments `login`,
 * `register` or `addkey` take. A server that asks for the TLS channel binding on a connection
 * that cannot give it is refused here (HOST_UNKNOWN-like stop: the connection is not what it
 * seems), rather than signing something that would not verify.
 */
export async function keyProof(channel: Channel, key: LoginKey, proof: { purpose: KeyProofPurpose; name: string; timeoutMs: number }): Promise<{ key: string; signature: string }> {
  const challenge = await channel.request('challenge', {} as CommandArgs<'challenge'>, proof.timeoutMs);
  let binding = 'none';
  if (challenge.binding === 'tls-exporter') {
    const exported = channel.channelBinding();
    if (!exported) throw ParleyClientError.local('CONNECT_FAILED', 'The server asks for a TLS channel binding this connection cannot give');
    binding = toBase64Url(exported);
  }
  const payload = keyProofPayload({ purpose: proof.purpose, server: challenge.server, name: proof.name, nonce: challenge.nonce, binding });
  return { key: key.publicKey, signature: toBase64Url(await key.sign(payload)) };
}
