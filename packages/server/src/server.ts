import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ParleyError } from '@parley/protocol';
import type { Logger } from 'pino';
import { MessageWriter } from './chat/message-writer.ts';
import { RoomDirectory } from './chat/room-directory.ts';
import { Router } from './chat/router.ts';
import { signOut } from './chat/sign-in.ts';
import { UserDirectory } from './chat/user-directory.ts';
import { formatListenAddress, parseHttpListenAddress, parseListenAddress, type ListenAddress } from './config/listen-address.ts';
import type { Config } from './config/schema.ts';
import type { ServerContext } from './core/context.ts';
import { Flusher } from './core/outbound.ts';
import { Session, type CloseReason, type SessionTransport } from './core/session.ts';
import { attachStream, streamTransport } from './core/stream-connection.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { openConfiguredStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import type { Bus } from './cluster/bus.ts';
import { openConfiguredBus } from './cluster/open-bus.ts';
import { LocalBus } from './cluster/local-bus.ts';
import { ConversationDelivery } from './chat/conversation-delivery.ts';
import { startCluster } from './chat/cluster-start.ts';
import { startSweeper } from './core/sweeper.ts';
import { listenHttp } from './transports/http-listener.ts';
import { listenTcp, type TcpListener } from './transports/tcp-listener.ts';
import { applyReload } from './moderation/reload.ts';
import type { ReloadPlan } from './config/reload.ts';
import { loadOrCreateCertificate, type TlsMaterial } from './transports/tls-certificate.ts';
import { attachWebSocket, wsTransport } from './transports/ws-connection.ts';
import { Moderation } from './moderation/moderation.ts';
import { runCommand } from './commands/run-command.ts';
import { errorLine } from './core/text-lines.ts';
import { startModeration } from './moderation/lifecycle.ts';
import { Federation } from './federation/federation.ts';
import { loadOrCreateServerIdentity } from './federation/server-identity.ts';

export interface BoundAddress {
  host: string;
  port: number;
  tls: boolean;
}

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/**
 * The daemon: opens the store, loads rooms, makes or loads the TLS certificate, listens on every
 * configured address, and owns the set of live sessions. `start` resolves once all listeners
 * are bound; `stop` stops accepting, commits pending writes, closes sessions and the store.
 */
export class ParleyServer {
  readonly tcp: BoundAddress[] = [];
  readonly http: BoundAddress[] = [];
  private readonly listeners: { close(): Promise<void> }[] = [];
  /** Listeners whose certificate a reload swaps: TLS TCP ports and HTTPS ports. */
  private readonly tlsListeners: Pick<TcpListener, 'setCertificate'>[] = [];
  private nextSessionId = 1;
  private stopping = false;
  private stopTimers: (() => void)[] = [];

  private constructor(
    readonly context: ServerContext,
    public tlsMaterial: TlsMaterial | undefined,
  ) {}

  get fingerprint(): string | undefined {
    return this.tlsMaterial?.fingerprint;
  }

  /**
   * `store` and `bus` are injected by whoever runs the server (tests, an embedding program);
   * without them the server opens the ones its configuration names. Either way the server owns
   * them from here: `stop` closes them. `onOperPassword` receives the one-time operator password
   * at start and at each rotation (the CLI prints it to stdout); without it the password is
   * logged at warn level.
   */
  static async start(
    config: Config,
    options: { log?: Logger; store?: Store; bus?: Bus; onOperPassword?: (password: string) => void } = {},
  ): Promise<ParleyServer> {
    const log = options.log ?? createLogger(config);
    const nodeId = config.node_id || `node-${randomBytes(4).toString('hex')}`;
    const store = options.store ?? (await openConfiguredStore(config, log));
    let bus: Bus;
    try {
      bus = options.bus ?? (await openConfiguredBus(config, nodeId, log));
    } catch (error) {
      await store.close();
      throw error;
    }
    const clustered = bus.kind === 'nats' || (bus instanceof LocalBus && bus.networked);
    const users = new UserDirectory();
    const router = new Router(users);
    const sessions = new Set<Session>();
    const flusher = new Flusher();
    const metrics = new Metrics({ sessions: () => sessions, deliveries: () => router.deliveries, socketWrites: () => flusher.writes, bus: () => bus.stats() });
    const writer = new MessageWriter(
      store,
      (size, seconds) => metrics.observeAppend(size, seconds),
      (err) => log.error({ err }, 'message append failed'),
    );
    const rooms = new RoomDirectory(store);
    const moderation: Moderation = new Moderation(store, () => context.config, log);
    const delivery = new ConversationDelivery({ bus, store, rooms, users, router, metrics, log, cluster: config.cluster });
    const context: ServerContext = {
      config, store, users, rooms, router, writer, metrics, log, sessions, moderation, bus, delivery, nodeId,
      clustered,
      cluster: undefined,
      federation: undefined,
      // Leases outlive a node's silence (node_timeout_ms) so that only a node seen gone, or one
      // silent three times as long, loses its names.
      claims: clustered ? store.nameClaims?.(nodeId, 3 * config.cluster.node_timeout_ms) : undefined,
      dispatch: (session, inbound) => runCommand(context, session, inbound),
      listeners: [],
      flusher,
      startedAt: Date.now(),
      version: VERSION,
    };
    try {
      await rooms.load(config.rooms.default, { clustered: context.clustered });
      await delivery.start();
      const stopCluster = startCluster(context);
      const stopModeration = await startModeration(context, options.onOperPassword);
      const tcpAddresses = config.tcp.listen.map(parseListenAddress);
      const httpAddresses = config.http.listen.map(parseHttpListenAddress);
      const needsTls = [...tcpAddresses, ...httpAddresses].some((a) => a.tls) || config.federation.enabled;
      const tls = needsTls
        ? await loadOrCreateCertificate({ dataDir: config.data_dir, certFile: config.tls.cert_file, keyFile: config.tls.key_file })
        : undefined;
      const server = new ParleyServer(context, tls);
      if (config.federation.enabled && tls) {
        const identity = await loadOrCreateServerIdentity(config.data_dir);
        context.federation = await Federation.start(context, identity, tls);
      }
      await server.listenAll({ tcp: tcpAddresses, http: httpAddresses }, tls);
      server.stopTimers.push(startSweeper(context), server.startRetention(), stopModeration, stopCluster);
      return server;
    } catch (error) {
      await context.federation?.close();
      delivery.close();
      await bus.close();
      await store.close();
      throw error;
    }
  }

  private async listenAll(addresses: { tcp: ListenAddress[]; http: ListenAddress[] }, tls: TlsMaterial | undefined): Promise<void> {
    const { config, log } = this.context;
    try {
      for (const address of addresses.tcp) {
        const listener = await listenTcp({
          address,
          tls: address.tls ? tls : undefined,
          handshakeTimeoutMs: this.handshakeTimeoutMs,
          log,
          onConnection: (socket, kind) => this.acceptStream(socket, kind),
        });
        this.listeners.push(listener);
        if (address.tls) this.tlsListeners.push(listener);
        this.tcp.push({ host: address.host, port: (listener.server.address() as AddressInfo).port, tls: address.tls });
        this.context.listeners.push(`${address.tls ? 'tls' : 'tcp'}://${formatListenAddress(this.tcp.at(-1)!)}`);
      }
      for (const address of addresses.http) {
        const listener = await listenHttp(address, {
          maxFrameBytes: () => this.context.config.limits.max_frame_bytes,
          compression: () => this.context.config.limits.compression,
          failoverUrls: () => this.context.config.http.failover_urls,
          handshakeTimeoutMs: this.handshakeTimeoutMs,
          health: () => this.health(),
          metrics: async () => ({ contentType: this.context.metrics.registry.contentType, body: await this.context.metrics.registry.metrics() }),
          // Bound ports, not configured ones: a configured port 0 means "any free port".
          page: () => ({
            serverName: config.server_name,
            fingerprint: this.fingerprint, // after a reload, the new certificate's
            tlsPorts: [...new Set(this.tcp.filter((a) => a.tls).map((a) => a.port))],
            wsPath: '/ws',
          }),
          onWebSocket: (ws, socket) => {
            const session = this.accept(wsTransport(ws, socket));
            if (session) attachWebSocket(ws, session);
          },
        }, address.tls ? tls : undefined);
        const { server } = listener;
        if (address.tls) this.tlsListeners.push(listener);
        this.listeners.push({
          close: () =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        });
        this.http.push({ host: address.host, port: (server.address() as AddressInfo).port, tls: address.tls });
        this.context.listeners.push(`${address.tls ? 'https' : 'http'}://${formatListenAddress(this.http.at(-1)!)}`);
      }
    } catch (error) {
      await this.closeListeners();
      throw error;
    }
  }

  private readonly handshakeTimeoutMs = (): number => this.context.config.limits.handshake_timeout_ms;

  private acceptStream(socket: Socket, kind: 'tls' | 'tcp'): void {
    const session = this.accept(streamTransport(socket, kind));
    if (session) attachStream(socket, session, this.context.config.limits.max_frame_bytes);
    else socket.on('error', () => socket.destroy());
  }

  /**
   * Applies connection limits and server bans (moderation/connection-guard.ts: address bans,
   * per-IP and per-network counts, new connections per second); a refused connection is told
   * why in one line or close frame.
   */
  private accept(transport: SessionTransport): Session | undefined {
    const { config, sessions, moderation } = this.context;
    const ip = transport.remoteAddress;
    let refusal: ParleyError | undefined;
    if (this.stopping) refusal = new ParleyError('SHUTTING_DOWN');
    else if (sessions.size >= config.limits.max_connections) refusal = new ParleyError('TOO_MANY_CONNECTIONS', 'The server is full; try again later');
    else refusal = moderation.connections.admit(ip);
    if (refusal) {
      if (transport.kind !== 'ws') transport.sink.write(Buffer.from(`${errorLine(refusal.toWire())}\n`));
      transport.end(refusal);
      this.context.metrics.disconnects.inc({ reason: refusal.errorName });
      return undefined;
    }
    moderation.connections.opened(ip);
    const session = new Session({ id: this.nextSessionId++, transport, server: this.context, onClose: this.onSessionClosed });
    sessions.add(session);
    return session;
  }

  /** One function for every session (not a closure each). */
  private readonly onSessionClosed = (session: Session, reason: CloseReason): void => this.closed(session, reason);

  private closed(session: Session, reason: CloseReason): void {
    const { sessions, metrics } = this.context;
    if (!sessions.delete(session)) return;
    this.context.moderation.connections.closed(session.transport.remoteAddress);
    signOut(this.context, session);
    metrics.disconnects.inc({ reason });
  }

  /**
   * Applies a freshly loaded config: live keys swap in (config/reload.ts), the bans file and the
   * TLS certificate are re-read, bans are applied to live sessions. Never throws; what it did
   * is logged and audited, and returned.
   */
  async reload(loaded: Config, actor = 'server'): Promise<ReloadPlan> {
    const plan = await applyReload(this.context, loaded, actor);
    if (this.tlsMaterial && this.tlsListeners.length > 0) {
      try {
        const { config } = this.context;
        this.tlsMaterial = await loadOrCreateCertificate({ dataDir: config.data_dir, certFile: config.tls.cert_file, keyFile: config.tls.key_file });
        for (const listener of this.tlsListeners) listener.setCertificate(this.tlsMaterial);
      } catch (err) {
        this.context.log.error({ err }, 'reload: the TLS certificate could not be read; keeping the old one');
      }
    }
    return plan;
  }

  private startRetention(): () => void {
    const { config, store, log } = this.context;
    const days = config.history.retention_days;
    if (days === 0) return () => undefined;
    const prune = () => {
      store.deleteMessagesBefore(Date.now() - days * 86_400_000).then(
        (deleted) => deleted > 0 && log.info({ deleted }, 'history retention pruned messages'),
        (err: unknown) => log.error({ err }, 'history retention failed'),
      );
    };
    prune();
    const timer = setInterval(prune, 3_600_000);
    timer.unref();
    return () => clearInterval(timer);
  }

  health(): Record<string, unknown> {
    const { sessions, users, rooms, startedAt, version, nodeId, store, bus, cluster } = this.context;
    const busStats = bus.stats();
    return {
      status: this.stopping ? 'stopping' : 'ok',
      version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      connections: sessions.size,
      usersOnline: users.size,
      rooms: rooms.size,
      node: nodeId,
      store: store.kind,
      bus: { kind: bus.kind, connected: busStats.connected, dropped: busStats.dropped },
      ...(this.context.federation ? { federation: this.federationHealth() } : {}),
      ...(cluster ? { cluster: { nodes: [nodeId, ...cluster.roster.nodes()].sort(), usersOnline: users.size + cluster.roster.size } } : {}),
    };
  }

  private federationHealth(): Record<string, unknown> {
    const federation = this.context.federation!;
    return {
      id: federation.identity.id,
      name: this.context.config.server_name.toLowerCase(),
      listen: federation.links.bound.map((a) => formatListenAddress(a)),
      peers: federation.peerList().map((p) => ({ id: p.id, name: p.name, linked: p.linked, ...(p.hops !== undefined ? { hops: p.hops } : {}) })),
    };
  }

  private async closeListeners(): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener.close()));
  }

  /** Stops accepting, commits what was sent, tells every client, closes sessions and the store. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const stopTimer of this.stopTimers) stopTimer();
    const listenersClosed = this.closeListeners();
    await this.context.writer.drain();
    for (const session of [...this.context.sessions]) session.close('SHUTTING_DOWN', 'The server is shutting down; reconnect later');
    await listenersClosed;
    await this.context.federation?.close();
    this.context.delivery.close();
    await this.context.bus.close();
    await this.context.store.close();
  }
}
