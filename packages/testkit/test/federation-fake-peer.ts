import { connect } from 'node:tls';
import { pino } from 'pino';
import { ephemeralServerIdentity, Link, signAnnouncement, type LinkFrame, type ServerIdentity } from '@parley/server';
import type { SpawnedServer } from '../src/index.ts';

/**
 * A server played by the test: it links to a real one over TLS with the real handshake (its own
 * Ed25519 key), then says whatever the test wants, forged or not, and records what comes back.
 */
export class FakePeer {
  readonly frames: LinkFrame[] = [];
  closedWith: string | undefined;

  private constructor(
    readonly link: Link,
    readonly identity: ServerIdentity,
  ) {
    link.listen((frame) => {
      this.frames.push(frame);
      if (frame.t === 'ping') link.send({ t: 'pong' });
    });
    link.onClose((reason) => (this.closedWith = reason));
  }

  /** `identity` defaults to a fresh key; `claim` makes the hello claim another id than the key's (it cannot prove it). */
  static async link(server: SpawnedServer, options: { name: string; identity?: ServerIdentity; claimId?: string; maxFrameBytes?: number }): Promise<FakePeer> {
    const identity = options.identity ?? ephemeralServerIdentity();
    const socket = connect({ host: '127.0.0.1', port: server.fedPort!, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const claimed = options.claimId ? { ...identity, id: options.claimId } : identity;
    const link = new Link(socket, { identity: claimed, name: options.name, limits: { maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024, framesPerSecond: 100_000 }, log: pino({ level: 'silent' }), direction: 'out' });
    await link.handshake(() => undefined);
    const peer = new FakePeer(link, identity);
    link.send({ t: 'routes', list: [{ hops: 0, a: signAnnouncement(identity, { name: options.name, addresses: [], ts: Date.now() }) }] });
    return peer;
  }

  send(frame: LinkFrame): void {
    this.link.send(frame);
  }

  /** Raw bytes on the TLS socket (malformed frames). */
  raw(bytes: Uint8Array): void {
    this.link.socket.write(bytes);
  }

  async next<T extends LinkFrame['t']>(t: T, match: (frame: Extract<LinkFrame, { t: T }>) => boolean = () => true, timeoutMs = 15_000): Promise<Extract<LinkFrame, { t: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f): f is Extract<LinkFrame, { t: T }> => f.t === t && match(f as Extract<LinkFrame, { t: T }>));
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error(`no ${t} frame; got ${this.frames.map((f) => f.t).join(', ')}${this.closedWith ? `; closed: ${this.closedWith}` : ''}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.link.close();
  }
}
