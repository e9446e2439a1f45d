import type { AuthenticationService, Credential } from 'ts-mls';
import { bytesEqual } from '../bytes.ts';
import { verifyDeviceCertificate, type DeviceCertificate } from '../device-certificate.ts';
import { E2eError, isE2eError } from '../errors.ts';

/**
 * Who decides that an identity key is the right one for a user: the client, from keys it pinned
 * on first contact or verified by safety number. Asked for every credential ts-mls validates
 * (each added KeyPackage, each leaf of a tree joined from a Welcome, each committer's new leaf).
 * It may be async (ts-mls awaits the auth service), but it should answer from local state: a
 * network lookup here stalls message processing.
 */
export interface TrustPolicy {
  trustIdentity(userId: string, identityKey: Uint8Array): boolean | Promise<boolean>;
}

/** What every MLS operation needs besides its own arguments. */
export interface MlsContext {
  trust: TrustPolicy;
  /** Unix milliseconds; certificate expiry is checked against it. Defaults to Date.now. */
  now?: () => number;
  /**
   * How this client's server names the user a certificate names. On a federating server a
   * certificate names `<id>@<server id>`, unique across servers, while each server names its own
   * users `<id>` and others' `<id>@<server id>`; the client strips its own server's suffix here.
   * Every user id this module hands out or asks the trust policy about has gone through it
   * (members, senders, committers, KeyPackage owners). Defaults to the certificate's id as it is.
   */
  localUserId?: (certificateUserId: string) => string;
}

/** A credential that passed checkCredential, and its user as this client's server names them. */
export interface CheckedCredential {
  certificate: DeviceCertificate;
  userId: string;
}

/** The certificate's user id through `context.localUserId`. */
export function localUserIdOf(cert: DeviceCertificate, context: Pick<MlsContext, 'localUserId'>): string {
  return context.localUserId ? context.localUserId(cert.userId) : cert.userId;
}

/**
 * The credential of every Parley leaf is a "basic" MLS credential (RFC 9420 §5.3) whose identity
 * is the device certificate's bytes. RFC 9420 §5.3.1 leaves the meaning of the identity to the
 * application; keeping the standard type means every member already supports it.
 */
export function credentialFor(certificate: Uint8Array): Credential {
  return { credentialType: 'basic', identity: certificate };
}

/**
 * Checks one credential as RFC 9420 §5.3.1 asks: the certificate verifies (signed by the identity
 * key it names, not expired), the trust policy accepts that identity key for that user, and the
 * MLS signature key of the leaf is the certified device key. Anything else is refused; ts-mls's
 * default accepts every credential (E2E.md pitfall 1). Trust is asked for the mapped user id
 * (`localUserId`): the one the client pinned keys under. Error texts name the certificate's own.
 */
export async function checkCredential(credential: Credential, signaturePublicKey: Uint8Array, context: MlsContext): Promise<CheckedCredential> {
  if (credential.credentialType !== 'basic') {
    throw new E2eError('E2E_BAD_CREDENTIAL', `credential type ${credential.credentialType} is not a Parley device certificate`, { problem: 'malformed' });
  }
  const cert = await verifyDeviceCertificate(credential.identity, { now: (context.now ?? Date.now)() });
  if (!bytesEqual(cert.deviceKey, signaturePublicKey)) {
    throw new E2eError('E2E_BAD_CREDENTIAL', `the MLS signature key of ${cert.userId}/${cert.deviceId} is not its certified device key`, { problem: 'key-mismatch' });
  }
  const userId = localUserIdOf(cert, context);
  if (!(await context.trust.trustIdentity(userId, cert.identityKey))) {
    throw new E2eError('E2E_BAD_CREDENTIAL', `the identity key of ${cert.userId} is not the trusted one`, { problem: 'untrusted-identity' });
  }
  return { certificate: cert, userId };
}

/**
 * An auth service for one operation. ts-mls only sees true or false and turns false into an
 * error with a fixed text; the first refusal is kept here so the caller can rethrow it with its
 * reason (mls-errors.ts prefers it to whatever ts-mls threw).
 */
export class RecordingAuthService implements AuthenticationService {
  refusal: E2eError | undefined;

  constructor(private readonly context: MlsContext) {}

  async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    try {
      await checkCredential(credential, signaturePublicKey, this.context);
      return true;
    } catch (error) {
      if (!isE2eError(error)) throw error;
      this.refusal ??= error;
      return false;
    }
  }
}
