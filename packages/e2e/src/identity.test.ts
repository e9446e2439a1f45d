import { describe, expect, it } from 'vitest';
import { decodeDeviceCertificate, issueDeviceCertificate, verifyDeviceCertificate } from './device-certificate.ts';
import { isE2eError } from './errors.ts';
import {
  exportPrivateKeyPkcs8,
  exportPublicKey,
  generateDeviceKeyPair,
  generateIdentityKeyPair,
  identitySigner,
  importPrivateKeyPkcs8,
  importPublicKey,
  publicKeyFromText,
  publicKeyToText,
  verifySignature,
} from './identity.ts';

async function expectProblem(promise: Promise<unknown>, problem: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isE2eError(error, 'E2E_BAD_CREDENTIAL') && error.problem).toBe(problem);
}

describe('identity and device keys', () => {
  it('are Ed25519; public keys round-trip as 32 raw bytes and 43 base64url characters', async () => {
    const pair = await generateIdentityKeyPair();
    const raw = await exportPublicKey(pair.publicKey);
    expect(raw.length).toBe(32);
    const text = publicKeyToText(raw);
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(publicKeyFromText(text)).toEqual(raw);
    await expect(importPublicKey(raw)).resolves.toBeDefined();
    expect(() => publicKeyFromText('abc')).toThrow(/32 bytes/);
  });

  it('keeps identity keys non-extractable by default; pkcs8 export only when asked', async () => {
    const locked = await generateIdentityKeyPair();
    expect(locked.privateKey.extractable).toBe(false);
    await expect(exportPrivateKeyPkcs8(locked.privateKey)).rejects.toMatchObject({ code: 'E2E_KEY_NOT_EXTRACTABLE' });

    const forFile = await generateIdentityKeyPair({ extractable: true });
    const pkcs8 = await exportPrivateKeyPkcs8(forFile.privateKey);
    const reloaded = await importPrivateKeyPkcs8(pkcs8);
    expect(reloaded.extractable).toBe(false);
    const data = new TextEncoder().encode('hello');
    const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', reloaded, data));
    expect(await verifySignature(await exportPublicKey(forFile.publicKey), signature, data)).toBe(true);
    await expect(importPrivateKeyPkcs8(new Uint8Array(10))).rejects.toMatchObject({ code: 'E2E_BAD_KEY' });
  });

  it('makes device keys extractable (ts-mls signs with raw bytes)', async () => {
    const device = await generateDeviceKeyPair();
    expect(device.privateKey.extractable).toBe(true);
  });
});

describe('device certificates', () => {
  async function setup() {
    const identity = await identitySigner(await generateIdentityKeyPair());
    const deviceKey = await exportPublicKey((await generateDeviceKeyPair()).publicKey);
    return { identity, deviceKey };
  }

  it('verify when signed by the identity key they name, and decode to their fields', async () => {
    const { identity, deviceKey } = await setup();
    const bytes = await issueDeviceCertificate(identity, { userId: 'alice', deviceId: 'laptop', deviceKey, created: 1_000, lifetimeMs: 10_000 });
    const cert = await verifyDeviceCertificate(bytes, { now: 5_000 });
    expect(cert).toMatchObject({ version: 1, userId: 'alice', deviceId: 'laptop', created: 1_000, expires: 11_000 });
    expect(cert.deviceKey).toEqual(deviceKey);
    expect(cert.identityKey).toEqual(identity.publicKey);
    expect(decodeDeviceCertificate(bytes)).toEqual(cert);
  });

  it('refuse a certificate signed by another identity key than the one it names (forged)', async () => {
    const { identity, deviceKey } = await setup();
    const mallory = await identitySigner(await generateIdentityKeyPair());
    // Mallory signs a certificate that claims Alice's identity key.
    const forged = await issueDeviceCertificate({ publicKey: identity.publicKey, sign: (d) => mallory.sign(d) }, { userId: 'alice', deviceId: 'evil', deviceKey });
    await expectProblem(verifyDeviceCertificate(forged), 'bad-signature');
  });

  it('refuse any changed byte, trailing bytes and other versions', async () => {
    const { identity, deviceKey } = await setup();
    const bytes = await issueDeviceCertificate(identity, { userId: 'alice', deviceId: 'laptop', deviceKey });
    const flipped = bytes.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    await expectProblem(verifyDeviceCertificate(flipped), 'bad-signature');
    await expectProblem(verifyDeviceCertificate(new Uint8Array([...bytes, 0])), 'malformed');
    const v2 = bytes.slice();
    v2[3] = 2;
    await expectProblem(verifyDeviceCertificate(v2), 'unsupported-version');
    await expectProblem(verifyDeviceCertificate(new Uint8Array(5)), 'malformed');
  });

  it('refuse expired and not-yet-valid certificates', async () => {
    const { identity, deviceKey } = await setup();
    const bytes = await issueDeviceCertificate(identity, { userId: 'alice', deviceId: 'laptop', deviceKey, created: 1_000_000, lifetimeMs: 1_000 });
    await expectProblem(verifyDeviceCertificate(bytes, { now: 1_001_000 }), 'expired');
    await expectProblem(verifyDeviceCertificate(bytes, { now: 1_000_000 - 10 * 60_000 }), 'not-yet-valid');
  });

  it('refuse empty ids and a lifetime that ends before it starts', async () => {
    const { identity, deviceKey } = await setup();
    await expectProblem(issueDeviceCertificate(identity, { userId: '', deviceId: 'd', deviceKey }), 'malformed');
    await expectProblem(issueDeviceCertificate(identity, { userId: 'a', deviceId: 'd', deviceKey, lifetimeMs: 0 }), 'malformed');
  });
});
