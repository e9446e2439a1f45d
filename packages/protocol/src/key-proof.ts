import { nameKey } from './names.ts';

/**
 * What a key signature may be for: signing in, creating an account, adding a key to one, or
 * (`edevice`, signed by an end-to-end device key) binding that device to this connection.
 */
export type KeyProofPurpose = 'login' | 'register' | 'addkey' | 'edevice';

/**
 * How a key proof is tied to its connection: `tls-exporter` is RFC 9266's channel binding (the
 * TLS 1.3 exporter "EXPORTER-Channel-Binding", 32 bytes, no context), so a signature relayed by a
 * machine in the middle to another connection does not verify there; `none` where the client
 * cannot read it (a browser's WebSocket) or there is no TLS (a plaintext listener).
 */
export type KeyBinding = 'tls-exporter' | 'none';

export const CHANNEL_BINDING_LABEL = 'EXPORTER-Channel-Binding';

/**
 * The exact bytes a key signs (Ed25519, no prehash): one UTF-8 line per field, so no field can
 * run into the next (none may hold a newline: names cannot, the nonce and the binding are
 * base64url). The server's name and the purpose keep a signature from being used on another
 * server or for another command; the nonce is the server's single-use challenge.
 */
export function keyProofPayload(proof: { purpose: KeyProofPurpose; server: string; name: string; nonce: string; binding: string }): Uint8Array {
  const lines = ['parley-key-proof-v1', proof.purpose, proof.server, nameKey(proof.name), proof.nonce, proof.binding];
  if (lines.some((line) => line.includes('\n'))) throw new Error('a key proof field cannot hold a newline');
  return new TextEncoder().encode(lines.join('\n'));
}
