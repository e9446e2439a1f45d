import {
  bytesToBase64,
  ciphersuites,
  decodeMlsMessage,
  defaultAuthenticationService,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  makePskIndex,
  processPrivateMessage,
  processPublicMessage,
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type MLSMessage,
} from 'ts-mls';
import { DependencyError } from 'ts-mls/mlsError.js';
import { decodeTree } from './codec.ts';

/**
 * Drives ts-mls through the MLS working group's passive-client vectors (mls-implementations
 * test-vectors.md, "Passive Client Scenarios"): join from the Welcome, then apply each epoch's
 * proposals and commit, reporting the epoch authenticator after the join and after each commit.
 *
 * FOR INTEROPERABILITY TESTS ONLY. The vectors' credentials are arbitrary basic credentials, so
 * this trusts every credential and skips lifetime checks: exactly what Parley's own groups must
 * never do. It is not exported from the package.
 */
export interface PassiveClientVector {
  cipherSuite: number;
  keyPackage: Uint8Array;
  signaturePriv: Uint8Array;
  encryptionPriv: Uint8Array;
  initPriv: Uint8Array;
  welcome: Uint8Array;
  ratchetTree: Uint8Array | undefined;
  externalPsks: { id: Uint8Array; secret: Uint8Array }[];
  epochs: { proposals: Uint8Array[]; commit: Uint8Array }[];
}

export type PassiveClientReplay = { supported: false; reason: string } | { supported: true; epochAuthenticators: Uint8Array[] };

const VECTOR_CONFIG: ClientConfig = {
  keyRetentionConfig: defaultKeyRetentionConfig,
  lifetimeConfig: defaultLifetimeConfig,
  keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
  paddingConfig: defaultPaddingConfig,
  authService: defaultAuthenticationService,
};

async function suiteFor(id: number): Promise<CiphersuiteImpl | string> {
  const name = Object.entries(ciphersuites).find(([, value]) => value === id)?.[0] as keyof typeof ciphersuites | undefined;
  if (name === undefined) return `cipher suite ${id} is unknown to ts-mls`;
  try {
    return await getCiphersuiteImpl(getCiphersuiteFromName(name));
  } catch (error) {
    // Suites 2-7 need optional peers (@noble/curves, @hpke/*) that Parley does not install.
    if (error instanceof DependencyError) return `${name}: ${error.message}`;
    throw error;
  }
}

function decode(bytes: Uint8Array): MLSMessage {
  const decoded = decodeMlsMessage(bytes.slice(), 0);
  if (decoded === undefined || decoded[1] !== bytes.length) throw new Error('vector message does not decode');
  return decoded[0];
}

async function apply(state: ClientState, bytes: Uint8Array, input: { psks: Record<string, Uint8Array>; cs: CiphersuiteImpl }): Promise<ClientState> {
  const { psks, cs } = input;
  const message = decode(bytes);
  const pskIndex = makePskIndex(state, psks);
  if (message.wireformat === 'mls_private_message') return (await processPrivateMessage(state, message.privateMessage, pskIndex, cs)).newState;
  if (message.wireformat === 'mls_public_message') return (await processPublicMessage(state, message.publicMessage, pskIndex, cs)).newState;
  throw new Error(`unexpected ${message.wireformat} in a vector epoch`);
}

export async function replayPassiveClient(vector: PassiveClientVector): Promise<PassiveClientReplay> {
  const cs = await suiteFor(vector.cipherSuite);
  if (typeof cs === 'string') return { supported: false, reason: cs };
  const keyPackage = decode(vector.keyPackage);
  const welcome = decode(vector.welcome);
  if (keyPackage.wireformat !== 'mls_key_package' || welcome.wireformat !== 'mls_welcome') throw new Error('vector key_package or welcome of the wrong kind');
  const psks = Object.fromEntries(vector.externalPsks.map((p) => [bytesToBase64(p.id), p.secret]));
  const secrets = { initPrivateKey: vector.initPriv, hpkePrivateKey: vector.encryptionPriv, signaturePrivateKey: vector.signaturePriv };
  const tree = vector.ratchetTree && decodeTree(vector.ratchetTree);
  let state = await joinGroup(welcome.welcome, keyPackage.keyPackage, secrets, makePskIndex(undefined, psks), cs, tree, undefined, VECTOR_CONFIG);
  const epochAuthenticators = [state.keySchedule.epochAuthenticator.slice()];
  for (const epoch of vector.epochs) {
    for (const proposal of epoch.proposals) state = await apply(state, proposal, { psks, cs });
    state = await apply(state, epoch.commit, { psks, cs });
    epochAuthenticators.push(state.keySchedule.epochAuthenticator.slice());
  }
  return { supported: true, epochAuthenticators };
}
