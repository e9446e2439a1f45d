import { ParleyClientError } from '../errors.ts';
import { KnownHosts } from './known-hosts.ts';

export interface PeerCertificateInfo {
  hostPort: string;
  fingerprint: string;
  /** True when the certificate chains to a trusted CA and matches the host name. */
  caVerified: boolean;
}

/** Decides whether to talk to a TLS server; rejects with ParleyClientError to refuse. */
export type TrustPolicy = (peer: PeerCertificateInfo) => Promise<void>;

export interface PinningOptions {
  knownHosts?: KnownHosts;
  /** Trust and record a server seen for the first time without asking (`--accept-new`). */
  acceptNew?: boolean;
  /** Asked on first contact when `acceptNew` is off; resolve true to trust and record. */
  confirmNew?: (peer: PeerCertificateInfo) => Promise<boolean>;
  /**
   * Called once per TLS connection after the server was accepted, saying why: `ca` (CA-verified),
   * `pinned` (matched the known-hosts line) or `new` (first contact, now recorded). For status
   * displays; a throw here does not refuse the server.
   */
  onTrusted?: (peer: PeerCertificateInfo, how: TrustReason) => void;
}

export type TrustReason = 'ca' | 'pinned' | 'new';

/**
 * CA-signed certificates are accepted as usual; a self-signed one must match its pin. A changed
 * fingerprint is always refused loudly: that is what an attacker in the middle looks like.
 */
export function pinningPolicy(options: PinningOptions = {}): TrustPolicy {
  const knownHosts = options.knownHosts ?? new KnownHosts();
  const trusted = (peer: PeerCertificateInfo, how: TrustReason) => {
    try {
      options.onTrusted?.(peer, how);
    } catch {
      // A display callback must not decide trust.
    }
  };
  return async (peer) => {
    if (peer.caVerified) return trusted(peer, 'ca');
    const pinned = knownHosts.lookup(peer.hostPort);
    if (pinned === peer.fingerprint.toUpperCase()) return trusted(peer, 'pinned');
    if (pinned !== undefined) {
      throw ParleyClientError.local(
        'HOST_KEY_CHANGED',
        `WARNING: the certificate of ${peer.hostPort} has CHANGED.\n` +
          `  pinned:  ${pinned}\n  offered: ${peer.fingerprint}\n` +
          `Someone may be intercepting the connection, or the server got a new certificate. If you are sure it is the ` +
          `latter, remove the line for ${peer.hostPort} from ${knownHosts.file} and connect again.`,
      );
    }
    const accepted = options.acceptNew || (options.confirmNew ? await options.confirmNew(peer) : false);
    if (!accepted) {
      throw ParleyClientError.local(
        'HOST_UNKNOWN',
        `${peer.hostPort} is not a known host (fingerprint ${peer.fingerprint}). Check the fingerprint the server printed at ` +
          `start, then connect again with --accept-new to trust it.`,
      );
    }
    knownHosts.trust(peer.hostPort, peer.fingerprint);
    trusted(peer, 'new');
  };
}
