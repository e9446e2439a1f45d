import { createKeyPackage, exportPublicKey, generateDeviceKeyPair, generateIdentityKeyPair, identitySigner, issueDeviceCertificate, toBase64Url, type IdentitySigner, type MlsContext, type MlsDevice } from '@parley/e2e';
import { keyProofPayload, type Reply } from '@parley/protocol';
import { FrameClient, type TestServer } from '../src/index.ts';

/**
 * People, devices and KeyPackages over raw connections, for the Delivery Service tests: what a
 * client does, spelled out frame by frame with the real MLS module.
 */
export interface Person {
  client: FrameClient;
  name: string;
  id: string;
  identity: IdentitySigner;
}

/** The tests check the server, not trust: every identity is accepted. */
export const trustAll: MlsContext = { trust: { trustIdentity: () => true } };

export const errorOf = (reply: Reply) => (reply.ok ? 'ok' : reply.error.name);

export async function proofBy(client: FrameClient, name: string, privateKey: CryptoKey): Promise<string> {
  const challenge = (await client.ok('challenge')) as { nonce: string; server: string; binding: string };
  const binding = challenge.binding === 'tls-exporter' ? client.channelBinding()!.toString('base64url') : 'none';
  const payload = keyProofPayload({ purpose: 'edevice', server: challenge.server, name, nonce: challenge.nonce, binding });
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, new Uint8Array(payload))));
}

export async function makeDevice(p: Person, deviceId: string, options: { userId?: string; signer?: IdentitySigner } = {}): Promise<MlsDevice & { deviceKey: Uint8Array }> {
  const pair = await generateDeviceKeyPair();
  const deviceKey = await exportPublicKey(pair.publicKey);
  const certificate = await issueDeviceCertificate(options.signer ?? p.identity, { userId: options.userId ?? p.id, deviceId, deviceKey });
  return { certificate, privateKey: pair.privateKey, deviceKey };
}

export async function register(p: Person, device: MlsDevice, extra: Record<string, unknown> = {}): Promise<Reply> {
  return p.client.request('edevice', { certificate: toBase64Url(device.certificate), signature: await proofBy(p.client, p.name, device.privateKey), ...extra });
}

/** Uploads `count` one-time KeyPackages; the bundles (private parts) by their ref. */
export async function upload(p: Person, device: MlsDevice, count: number): Promise<Map<string, Uint8Array>> {
  const bundles = new Map<string, Uint8Array>();
  const packages: string[] = [];
  for (let i = 0; i < count; i++) {
    const made = await createKeyPackage(device, trustAll);
    bundles.set(toBase64Url(made.ref), made.bundle);
    packages.push(toBase64Url(made.keyPackage));
  }
  await p.client.ok('kpupload', { packages });
  return bundles;
}

/** Opens connections to one server (closed by `closeAll`), each person a new account. */
export class PeopleOf {
  private counter = 0;
  private readonly open: FrameClient[] = [];

  constructor(private readonly server: () => TestServer) {}

  /** A number never used before in this file's names. */
  next(): number {
    return ++this.counter;
  }

  async person(prefix: string, identity?: IdentitySigner): Promise<Person> {
    const name = `${prefix}${this.next()}`;
    const client = await FrameClient.open({ transport: 'tls', codec: 'json', port: this.server().tlsPort }, false);
    this.open.push(client);
    const { id } = (await client.ok('register', { name, password: 'password123' })) as { id: string };
    return { client, name, id, identity: identity ?? (await identitySigner(await generateIdentityKeyPair())) };
  }

  /** A second connection of the same account. */
  async again(p: Person): Promise<Person> {
    const client = await FrameClient.open({ transport: 'tls', codec: 'json', port: this.server().tlsPort }, { cmd: 'login', name: p.name, password: 'password123' });
    this.open.push(client);
    return { ...p, client };
  }

  closeAll(): void {
    for (const c of this.open.splice(0)) c.close();
  }
}
