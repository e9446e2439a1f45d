import { randomBytes } from 'node:crypto';
import { keyProofPayload, ParleyError, type KeyProofPurpose, type ReplyData } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { verifyEd25519 } from '../identity/key-signatures.ts';

/** How long a challenge may be signed for: a person's client signs at once. */
const CHALLENGE_LIFETIME_MS = 60_000;

/** One outstanding challenge per connection; a new CHALLENGE replaces it, any proof uses it up. */
const challenges = new WeakMap<Session, { nonce: string; expiresAt: number }>();

const bindingOf = (session: Session): Buffer | undefined => session.transport.channelBinding?.();

export function issueChallenge(server: ServerContext, session: Session): ReplyData['challenge'] {
  const nonce = randomBytes(32).toString('base64url');
  challenges.set(session, { nonce, expiresAt: Date.now() + CHALLENGE_LIFETIME_MS });
  return { nonce, server: server.config.server_name, binding: bindingOf(session) ? 'tls-exporter' : 'none', expiresInMs: CHALLENGE_LIFETIME_MS };
}

/**
 * Uses up the connection's challenge and checks that `signature` is `key`'s signature of this
 * proof (keyProofPayload: purpose, this server's name, the name, the nonce and this connection's
 * channel binding). Throws CHALLENGE_REQUIRED when there is no live challenge; returns whether
 * the signature verifies, so a login can count a bad one as a failed login.
 */
export function keyProofVerifies(server: ServerContext, session: Session, proof: { purpose: KeyProofPurpose; name: string; key: string; signature: string }): boolean {
  const challenge = challenges.get(session);
  challenges.delete(session);
  if (!challenge || challenge.expiresAt < Date.now()) throw new ParleyError('CHALLENGE_REQUIRED', 'Ask for a CHALLENGE and sign it: a key proof signs a fresh one, once');
  const binding = bindingOf(session);
  const payload = keyProofPayload({ purpose: proof.purpose, server: server.config.server_name, name: proof.name, nonce: challenge.nonce, binding: binding ? binding.toString('base64url') : 'none' });
  return verifyEd25519(proof.key, payload, proof.signature);
}

/** For commands where a bad signature is the caller's mistake, not a guess at someone's account. */
export function assertKeyProof(server: ServerContext, session: Session, proof: { purpose: KeyProofPurpose; name: string; key: string; signature: string }): void {
  if (!keyProofVerifies(server, session, proof)) {
    throw new ParleyError('KEY_PROOF_INVALID', 'The signature does not verify: sign the challenge of this connection, for this purpose, name and server');
  }
}
