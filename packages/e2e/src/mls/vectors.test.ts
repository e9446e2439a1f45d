import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replayPassiveClient, type PassiveClientVector } from './vectors.ts';

/**
 * RFC 9420 interoperability: the MLS working group's passive-client vectors (copied unchanged into
 * packages/e2e/test-vectors/, see its README), run through Parley's MLS module. Every case of
 * every suite ts-mls can build here runs; suites whose optional dependencies Parley does not
 * install are skipped with the reason. Suite 1, Parley's, must always run.
 */
interface VectorJson {
  cipher_suite: number;
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  external_psks: { psk_id: string; psk: string }[];
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function load(file: string): VectorJson[] {
  return JSON.parse(readFileSync(new URL(`../../test-vectors/${file}`, import.meta.url), 'utf8')) as VectorJson[];
}

function toVector(json: VectorJson): PassiveClientVector {
  return {
    cipherSuite: json.cipher_suite,
    keyPackage: hex(json.key_package),
    signaturePriv: hex(json.signature_priv),
    encryptionPriv: hex(json.encryption_priv),
    initPriv: hex(json.init_priv),
    welcome: hex(json.welcome),
    ratchetTree: json.ratchet_tree === null ? undefined : hex(json.ratchet_tree),
    externalPsks: json.external_psks.map((p) => ({ id: hex(p.psk_id), secret: hex(p.psk) })),
    epochs: json.epochs.map((e) => ({ proposals: e.proposals.map(hex), commit: hex(e.commit) })),
  };
}

for (const file of ['passive-client-welcome.json', 'passive-client-handling-commit.json', 'passive-client-random.json']) {
  describe(`RFC 9420 ${file}`, () => {
    const cases = load(file);
    for (const [index, json] of cases.entries()) {
      it(`case ${index} (suite ${json.cipher_suite}, ${json.epochs.length} epochs)`, async (context) => {
        const replay = await replayPassiveClient(toVector(json));
        if (!replay.supported) {
          expect(json.cipher_suite, 'suite 1 is Parley\'s and must run').not.toBe(1);
          context.skip(replay.reason);
          return;
        }
        expect(replay.epochAuthenticators.map(toHex)).toEqual([json.initial_epoch_authenticator, ...json.epochs.map((e) => e.epoch_authenticator)]);
      });
    }
  });
}
