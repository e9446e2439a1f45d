import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyClient, memoryE2eStorage, type ClientEvents, type E2eErrorEvent, type E2eStorage, type Transport, type TransportFactory } from '@parley/client';
import { fileE2eStorage, KnownHosts, nodeIdentityKey, nodeTransport } from '@parley/client/node';
import { waitFor, type TestServer } from '../src/index.ts';

/**
 * People and their devices for the end-to-end tests: each device is a ParleyClient over pinned
 * TLS with its own storage directory; a person's devices share the identity key (a 0600 file).
 */
export interface Person {
  name: string;
  password: string;
  identity: CryptoKeyPair;
  registered: boolean;
}

export interface Device {
  person: Person;
  client: ParleyClient;
  storageDir: string | undefined;
  deviceId: string;
  messages: ClientEvents['message'][];
  errors: E2eErrorEvent[];
  identityChanges: ClientEvents['identity_changed'][];
  welcomes: ClientEvents['welcome'][];
  /** Rewrites frames this device sends: a machine in the middle of its connection. */
  outgoing: { rewrite?: (frame: Record<string, unknown>) => Record<string, unknown>; current?: Transport };
}

/** Cuts the device's connection as a network failure would: the client reconnects by itself and resumes. */
export function dropConnection(device: Device): void {
  device.outgoing.current?.close();
}

/** A transport whose outgoing frames pass through `outgoing.rewrite` (channel binding kept, so key proofs still verify). */
function rewritable(inner: TransportFactory, outgoing: Device['outgoing']): TransportFactory {
  return async (url) => {
    const transport = await inner(url);
    outgoing.current = transport;
    const wrapped: Transport = {
      [Symbol.asyncIterator]: () => transport[Symbol.asyncIterator](),
      send: (frame) => transport.send(outgoing.rewrite ? outgoing.rewrite(frame) : frame),
      close: () => transport.close(),
      channelBinding: () => transport.channelBinding?.(),
    };
    return wrapped;
  };
}

export class E2eBed {
  private readonly dirs: string[] = [];
  private readonly clients: ParleyClient[] = [];
  private readonly knownHosts: string;

  constructor(private readonly server: Pick<TestServer, 'tlsPort'>) {
    this.knownHosts = join(this.tempDir('parley-e2e-hosts-'), 'known_hosts');
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  async person(name: string): Promise<Person> {
    const identity = await nodeIdentityKey(join(this.tempDir('parley-e2e-id-'), 'keys', 'identity.pem'), { create: true });
    return { name, password: `pw-${name}-e2e`, identity, registered: false };
  }

  /** A new identity key for the same person (every old device lost). */
  async newIdentity(person: Person): Promise<void> {
    person.identity = await nodeIdentityKey(join(this.tempDir('parley-e2e-id-'), 'identity.pem'), { create: true });
  }

  /** A device of `person`, set up (its e2e device registered). `storageDir` reuses a device's storage: the same device coming back. */
  async device(person: Person, options: { storageDir?: string; memory?: boolean; resetIdentity?: boolean } = {}): Promise<Device> {
    const storageDir = options.memory ? undefined : (options.storageDir ?? join(this.tempDir('parley-e2e-dev-'), 'store'));
    const storage: E2eStorage = storageDir === undefined ? memoryE2eStorage() : fileE2eStorage(storageDir);
    const credentials = person.registered ? { kind: 'login' as const, name: person.name, password: person.password } : { kind: 'register' as const, name: person.name, password: person.password };
    const outgoing: Device['outgoing'] = {};
    const client = this.client({ credentials, e2e: { identity: person.identity, storage, ...(options.resetIdentity ? { resetIdentity: true } : {}) } }, outgoing);
    const device: Device = { person, client, storageDir, deviceId: '', messages: [], errors: [], identityChanges: [], welcomes: [], outgoing };
    client.on('message', (m) => device.messages.push(m));
    client.on('e2e_error', (e) => device.errors.push(e));
    client.on('identity_changed', (e) => device.identityChanges.push(e));
    client.on('welcome', (w) => device.welcomes.push(w));
    // E2E_DEBUG=1 prints every group change and end-to-end error as it happens.
    if (process.env.E2E_DEBUG) {
      client.on('e2e_error', (e) => console.log('E2E_ERROR', person.name, device.deviceId, JSON.stringify(e)));
      client.on('e2e_group', (e) => console.log('E2E_GROUP', person.name, device.deviceId, JSON.stringify(e)));
    }
    await client.connect();
    person.registered = true;
    await client.e2e?.whenReady();
    device.deviceId = client.e2e?.deviceId ?? '';
    return device;
  }

  /** A guest device with in-memory storage and its own identity key. */
  async guest(name: string): Promise<Device> {
    const person = await this.person(name);
    const client = this.client({ credentials: { kind: 'guest', name }, e2e: { identity: person.identity, storage: memoryE2eStorage() } });
    const device: Device = { person, client, storageDir: undefined, deviceId: '', messages: [], errors: [], identityChanges: [], welcomes: [], outgoing: {} };
    client.on('message', (m) => device.messages.push(m));
    client.on('e2e_error', (e) => device.errors.push(e));
    await client.connect();
    await client.e2e?.whenReady();
    device.deviceId = client.e2e?.deviceId ?? '';
    return device;
  }

  /** A client without end-to-end encryption (a person with no device keys). */
  async plain(name: string): Promise<{ client: ParleyClient; messages: ClientEvents['message'][] }> {
    const client = this.client({ credentials: { kind: 'register', name, password: `pw-${name}-e2e` } });
    const messages: ClientEvents['message'][] = [];
    client.on('message', (m) => messages.push(m));
    await client.connect();
    return { client, messages };
  }

  private client(options: Omit<ConstructorParameters<typeof ParleyClient>[0], 'url' | 'transport'>, outgoing: Device['outgoing'] = {}): ParleyClient {
    const transport = rewritable(nodeTransport({ knownHosts: new KnownHosts(this.knownHosts), acceptNew: true }), outgoing);
    const client = new ParleyClient({ url: `tls://127.0.0.1:${this.server.tlsPort}`, transport, requestTimeoutMs: 15_000, backoff: { initialMs: 20, maxMs: 250 }, ...options });
    this.clients.push(client);
    return client;
  }

  async cleanUp(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Settings for the test server: the end-to-end verbs count as messages, and these tests send many. */
export const E2E_SERVER_SETTINGS = { limits: { messages_per_minute: 60_000, message_burst: 10_000 } };

/** The plaintexts a device read (decrypted), in order. */
export const readTexts = (device: Device, from?: string) => device.messages.filter((m) => m.encrypted && (from === undefined || m.from === from)).map((m) => m.text);

/** Waits until every device has read `text` (decrypted) exactly once. */
export async function allRead(devices: Device[], text: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    () => devices.every((d) => readTexts(d).includes(text)),
    () => `every device to read "${text}": ${devices.map((d) => `${d.person.name}/${d.deviceId}: [${readTexts(d).join(', ')}] errors ${JSON.stringify(d.errors)}`).join('; ')}`,
    timeoutMs,
  );
  for (const device of devices) expDefined(readTexts(device).filter((t) => t === text).length === 1, `${device.person.name}/${device.deviceId} read "${text}" once`);
}

function expDefined(ok: boolean, what: string): void {
  if (!ok) throw new Error(`expected: ${what}`);
}
