import type { Identity } from '../types.ts';
import type { Self } from './context.ts';

/*
 * Each server names its own users `a3` (or a guest's `g…`) and another server's users
 * `<their id>@<their server id>`. A certificate has to name its user the same way on every
 * server, so on a federating server it names `<id>@<own server id>` (the login reply's e2e_id)
 * and the rest of this layer goes on with the ids this client's server uses: the directory's,
 * the trust store's, the DM conversation ids'.
 */

export function selfOf(identity: Identity): Self {
  return { name: identity.name, userId: identity.id, certifiedId: identity.e2e_id ?? identity.id };
}

/** `@<own server id>` when the server federates (e2e_id is `<id>@<server id>`); undefined when it does not. */
function ownServerSuffix(self: Pick<Self, 'userId' | 'certifiedId'>): string | undefined {
  return self.certifiedId.startsWith(`${self.userId}@`) ? self.certifiedId.slice(self.userId.length) : undefined;
}

/**
 * A certificate's user id as this client's server names the user: its own users' certificates
 * lose the `@<own server id>`, other servers' users keep theirs (`a5@ps1Other…` is how this server
 * names that user too). An id without a server part (a certificate issued before the server
 * federated) is taken as this server's user: the trust store then holds it to that user's key.
 */
export function localUserId(self: Pick<Self, 'userId' | 'certifiedId'>, certificateUserId: string): string {
  const suffix = ownServerSuffix(self);
  return suffix !== undefined && certificateUserId.endsWith(suffix) ? certificateUserId.slice(0, -suffix.length) : certificateUserId;
}

/**
 * The two user ids a safety number with `peerId` binds, the same on both people's clients. With
 * someone of another server, each side's own id in its network-wide form (this user's e2e_id,
 * and the peer's id as this server gives it, `<id>@<their server id>`, which is their e2e_id).
 * Two people of one server use their plain ids, as before the server federated: turning
 * federation on does not change the numbers people already compared.
 */
export function safetyNumberIds(self: Pick<Self, 'userId' | 'certifiedId'>, peerId: string): { own: string; peer: string } {
  const remote = peerId.includes('@');
  return { own: remote ? self.certifiedId : self.userId, peer: peerId };
}
