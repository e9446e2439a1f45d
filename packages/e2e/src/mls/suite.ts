import {
  defaultKeyPackageEqualityConfig,
  defaultPaddingConfig,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type AuthenticationService,
  type CiphersuiteImpl,
  type ClientConfig,
} from 'ts-mls';

/**
 * The one cipher suite Parley speaks: RFC 9420 suite 1, X25519 + AES-128-GCM + SHA-256 + Ed25519.
 * Every primitive of it is in WebCrypto on Node 20 and in Chromium, so ts-mls's default provider
 * needs none of its optional peer dependencies.
 */
export const CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const;
export const CIPHER_SUITE_ID = 1;

let impl: Promise<CiphersuiteImpl> | undefined;

/** The suite's implementation; built once, it holds no state (only function tables). */
export function suite(): Promise<CiphersuiteImpl> {
  impl ??= getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE));
  return impl;
}

/** E2E.md pitfall 6: ts-mls lets a KeyPackage live forever unless told otherwise. */
export const MAX_KEY_PACKAGE_LIFETIME_MS = 90 * 24 * 3600_000;

/**
 * Keys of earlier epochs: ts-mls keeps 4 by default, so a removed member's messages from those
 * epochs still decrypt at its former peers (E2E.md pitfall 2). 1 is the least that works: 0 keeps
 * them all, because ts-mls 1.6.4 trims the list with `slice(-max)` and `slice(-0)` is the whole
 * list. The previous epoch stays readable only for a sender who is still a member
 * (group.ts, `checkPreviousEpochSender`), for the message a peer sent just before a commit.
 */
const RETAINED_EPOCHS = 1;

/**
 * The ClientConfig every ts-mls call gets. The auth service is passed per call (auth-service.ts)
 * so each operation learns why a credential was refused instead of parsing error text.
 */
export function clientConfig(authService: AuthenticationService): ClientConfig {
  return {
    keyRetentionConfig: {
      retainKeysForEpochs: RETAINED_EPOCHS,
      // ts-mls defaults: out-of-order messages within an epoch up to 10 generations back, and at
      // most 200 generations skipped forward (a sender cannot make us ratchet without bound).
      retainKeysForGenerations: 10,
      maximumForwardRatchetSteps: 200,
    },
    lifetimeConfig: {
      maximumTotalLifetime: BigInt(MAX_KEY_PACKAGE_LIFETIME_MS / 1000),
      validateLifetimeOnReceive: true,
    },
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    // Application data is padded to at least 256 bytes (ts-mls's default): short messages all
    // look alike on the wire.
    paddingConfig: defaultPaddingConfig,
    authService,
  };
}
