import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { ParleyError } from '@parley/protocol';
import type { ListenAddress, PeerAddress } from '../config/listen-address.ts';
import type { TlsMaterial } from '../transports/tls-certificate.ts';
import { Link, type LinkLimits, type LinkPeer } from './link.ts';
import type { ServerIdentity } from './server-identity.ts';

/** Reconnects back off from 15 ms, doubling to 60 s, each delay jittered to 50-100% of itself. */
const FIRST_RETRY_MS = 15;
const MAX_RETRY_MS = 60_000;

interface DialTarget {
  host: string;
  port: number;
  /** The id it must prove: configured, or pinned at its first link. */
  id: string | undefined;
  stopped: boolean;
  timer: NodeJS.Timeout | undefined;
  retryMs: number;
  operator: boolean;
}

export interface LinkHooks {
  refusal(peer: LinkPeer, expected: string | undefined): ParleyError | undefined;
  up(link: Link, address: string | undefined): void;
  down(link: Link, reason: string): void;
}

/**
 * The links: a TLS listener for peers that dial in, a dialer per configured or `connect`ed peer
 * that keeps one link up (reconnecting with backoff), and at most one live link per server. When
 * two servers dial each other at once, both keep the link dialed by the smaller id.
 */
export class LinkManager {
  readonly links = new Map<string, Link>();
  readonly bound: { host: string; port: number }[] = [];
  readonly #servers: Server[] = [];
  #targets: DialTarget[] = [];
  /** Servers an operator disconnected: not dialed, and refused when they dial in, until `connect` or a restart. */
  readonly #forgotten = new Set<string>();
  #stopped = false;

  constructor(
    private readonly options: { identity: ServerIdentity; name: string; limits: () => LinkLimits; tls: TlsMaterial; log: Logger; hooks: LinkHooks },
  ) {}

  async listen(addresses: readonly ListenAddress[]): Promise<void> {
    const { tls, log } = this.options;
    for (const address of addresses) {
      const server = createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3', handshakeTimeout: 10_000 }, (socket) => this.#accept(socket));
      server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'federation TLS handshake failed'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: address.host, port: address.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.#servers.push(server);
      this.bound.push({ host: address.host, port: (server.address() as AddressInfo).port });
    }
  }

  /** Keeps a link to this address up until `forget`. `operator`: asked for now (a `connect`), it lifts an earlier disconnect of whatever server answers. */
  dial(address: PeerAddress, operator = false): void {
    if (this.#targets.some((t) => !t.stopped && t.host === address.host && t.port === address.port)) return;
    const target: DialTarget = { ...address, stopped: false, timer: undefined, retryMs: FIRST_RETRY_MS, operator };
    this.#targets.push(target);
    this.#attempt(target);
  }

  /**
   * Stops dialing a server and closes its link (`disconnect`), by id, or by "host:port" for an
   * address that never linked; it is refused if it dials in, until a `connect` or a restart.
   * True when there was something to stop.
   */
  forget(idOrAddress: string): boolean {
    const matches = (t: DialTarget) => t.id === idOrAddress || `${t.host}:${t.port}` === idOrAddress || `[${t.host}]:${t.port}` === idOrAddress;
    let found = false;
    for (const target of this.#targets) {
      if (!matches(target)) continue;
      target.stopped = true;
      clearTimeout(target.timer);
      if (target.id !== undefined) this.#forgotten.add(target.id);
      found = true;
    }
    this.#targets = this.#targets.filter((t) => !t.stopped);
    const link = this.links.get(idOrAddress);
    if (link) this.#forgotten.add(idOrAddress);
    link?.close();
    return found || link !== undefined;
  }

  isForgotten(id: string): boolean {
    return this.#forgotten.has(id);
  }

  targets(): { host: string; port: number; id: string | undefined }[] {
    return this.#targets.filter((t) => !t.stopped).map(({ host, port, id }) => ({ host, port, id }));
  }

  async close(): Promise<void> {
    this.#stopped = true;
    for (const target of this.#targets) clearTimeout(target.timer);
    for (const link of this.links.values()) link.close();
    await Promise.all(this.#servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  #attempt(target: DialTarget): void {
    if (target.stopped || this.#stopped) return;
    if (target.id !== undefined && this.links.has(target.id)) return; // linked (it dialed us): retried when that link drops
    const { log } = this.options;
    const socket = connect({ host: target.host, port: target.port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    let settled = false;
    const retry = (why: string) => {
      if (settled) return;
      settled = true;
      log.debug({ host: target.host, port: target.port, why, retryMs: target.retryMs }, 'federation link attempt failed');
      this.#later(target);
    };
    socket.once('error', (err) => retry(err.message));
    socket.once('close', () => retry('closed'));
    socket.once('secureConnect', () => {
      this.#handshake(socket, 'out', target).then(
        (link) => {
          settled = true;
          target.retryMs = FIRST_RETRY_MS;
          link.onClose(() => this.#later(target));
        },
        (err: Error) => retry(err.message),
      );
    });
  }

  #later(target: DialTarget): void {
    if (target.stopped || this.#stopped) return;
    clearTimeout(target.timer);
    const delay = target.retryMs * (0.5 + Math.random() / 2);
    target.retryMs = Math.min(MAX_RETRY_MS, target.retryMs * 2);
    target.timer = setTimeout(() => this.#attempt(target), delay);
    target.timer.unref();
  }

  #accept(socket: TLSSocket): void {
    socket.on('error', () => socket.destroy());
    if (this.#stopped) return void socket.destroy();
    this.#handshake(socket, 'in', undefined).catch(() => undefined);
  }

  async #handshake(socket: TLSSocket, direction: 'in' | 'out', target: DialTarget | undefined): Promise<Link> {
    const { identity, name, log, hooks } = this.options;
    const link = new Link(socket, { identity, name, limits: this.options.limits(), log, direction });
    const peer = await link.handshake((p) => {
      if (this.#forgotten.has(p.id) && !target?.operator) return new ParleyError('FEDERATION_PEER_REFUSED', 'an operator disconnected this server');
      return hooks.refusal(p, target?.id);
    });
    if (target) target.id = peer.id;
    if (target?.stopped) {
      // Disconnected while the handshake ran.
      link.close();
      throw new Error('disconnected');
    }
    this.#forgotten.delete(peer.id);
    const existing = this.links.get(peer.id);
    if (existing && !existing.closed) {
      // Both dialed: keep the link the smaller id dialed, on both sides alike.
      const dialerOf = (l: Link) => (l.direction === 'out' ? identity.id : peer.id);
      const keepNew = dialerOf(link) < dialerOf(existing);
      if (!keepNew) {
        link.close();
        return existing;
      }
      existing.close();
    }
    this.links.set(peer.id, link);
    link.onClose((reason) => {
      if (this.links.get(peer.id) === link) this.links.delete(peer.id);
      hooks.down(link, reason);
      // Its dialer (if any) reconnects; a target waiting because the peer had dialed in retries now.
      for (const t of this.#targets) if (t.id === peer.id && t !== target && !t.stopped) this.#later(t);
    });
    hooks.up(link, target ? `${target.host}:${target.port}` : undefined);
    return link;
  }
}
