import { ParleyError } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import { formatListenAddress, parseListenAddress, parsePeerAddress } from '../config/listen-address.ts';
import type { AppendResult, FederationStore, NewMessage, PeerRecord, StoredMessage } from '../store/store.ts';
import type { TlsMaterial } from '../transports/tls-certificate.ts';
import { EventStreams } from './event-streams.ts';
import { DirectMessages } from './direct.ts';
import { E2eRelay } from './e2e-relay.ts';
import { HomeE2e } from './home-e2e.ts';
import { handleFrame } from './frame-handler.ts';
import { HomeRooms, type FederationParts } from './home-rooms.ts';
import type { LinkFrame } from './link-frames.ts';
import { LinkManager } from './link-manager.ts';
import type { Link } from './link.ts';
import { Mirrors } from './mirrors.ts';
import { PeerDirectory } from './peer-directory.ts';
import { Routes, signAnnouncement, type Announcement } from './routing.ts';
import type { ServerIdentity } from './server-identity.ts';

export interface PeerStatus extends PeerRecord {
  linked: boolean;
  /** Hops on the current route to it (1: linked directly); absent when it cannot be reached. */
  hops?: number;
}

/**
 * This server's part in a federation: its links (link-manager.ts), the routes through them
 * (routing.ts), the servers it knows (peer-directory.ts), the rooms homed here that others are in
 * (home-rooms.ts), the rooms it mirrors (mirrors.ts), and what it passes on for others: joins,
 * parts and submissions toward their home, answers toward their origin, each verified first.
 * Commands reach it through ServerContext.federation.
 */
export class Federation {
  readonly identity: ServerIdentity;
  readonly peers: PeerDirectory;
  readonly streams: EventStreams;
  readonly home: HomeRooms;
  readonly mirrors: Mirrors;
  readonly direct: DirectMessages;
  /** End-to-end verbs of local users that other servers answer. */
  readonly e2e: E2eRelay;
  /** End-to-end verbs other servers' users ask of this one. */
  readonly homeE2e: HomeE2e;
  readonly links: LinkManager;
  readonly routes: Routes;
  #self: Announcement | undefined;
  #rid = 0;
  readonly #queue = new WeakMap<Link, Promise<void>>();

  private constructor(
    private readonly server: ServerContext,
    { identity, store, tls }: { identity: ServerIdentity; store: FederationStore; tls: TlsMaterial },
  ) {
    this.identity = identity;
    const { config, log } = server;
    const name = config.server_name.toLowerCase();
    this.peers = new PeerDirectory(store, () => this.server.config, { id: identity.id, name });
    this.streams = new EventStreams({ store, log });
    this.routes = new Routes({
      self: () => (this.#self ??= signAnnouncement(identity, { name, addresses: this.links.bound.map((a) => formatListenAddress(a)), ts: Date.now() })),
      hopLimit: () => this.server.config.federation.hop_limit,
      isDenied: (id) => this.peers.isDenied(id),
      learned: (a) => this.peers.learn(a),
      changed: () => void this.#rerouted(),
      log,
    });
    const parts: FederationParts & { linkTo: (server: string) => Link | undefined } = {
      store,
      identity,
      peers: this.peers,
      streams: this.streams,
      route: (to, frame) => {
        const link = this.linkTo(to);
        link?.send(frame);
        return link !== undefined;
      },
      nameOf: (id) => (id === identity.id ? name : (this.peers.byId(id)?.name ?? id)),
      // One counter for joins and direct-conversation opens: a `refused` answers either by its rid.
      rid: () => ++this.#rid,
      linkTo: (to) => this.linkTo(to),
    };
    this.home = new HomeRooms(server, parts);
    this.mirrors = new Mirrors(server, parts);
    this.direct = new DirectMessages(server, { ...parts, home: this.home, mirrors: this.mirrors });
    this.e2e = new E2eRelay(server, { ...parts, mirrors: this.mirrors, home: this.home });
    this.homeE2e = new HomeE2e(server, { ...parts, home: this.home });
    this.links = new LinkManager({
      identity,
      name,
      tls,
      log,
      limits: () => ({ maxFrameBytes: this.server.config.federation.max_frame_bytes, framesPerSecond: this.server.config.federation.frames_per_second }),
      hooks: {
        refusal: (peer, expected) => this.peers.refusal(peer, expected),
        up: (link, address) => void this.#up(link, address),
        down: (link, reason) => {
          log.info({ peer: link.peer?.name, id: link.peer?.id, reason }, 'federation link down');
          if (link.peer && !this.links.links.has(link.peer.id)) this.routes.linkDown(link.peer.id);
        },
      },
    });
  }

  static async start(server: ServerContext, identity: ServerIdentity, tls: TlsMaterial): Promise<Federation> {
    const store = server.store.federation;
    if (!store) throw new Error('federation needs the SQLite store for now (store = "sqlite"); see docs/federation.md');
    const federation = new Federation(server, { identity, store, tls });
    await federation.peers.load();
    await federation.home.load();
    await federation.mirrors.load();
    await federation.direct.load();
    const { federation: config } = server.config;
    await federation.links.listen(config.listen.map(parseListenAddress));
    for (const entry of config.peers) federation.links.dial(parsePeerAddress(entry));
    return federation;
  }

  /** The link a frame for `server` leaves on: to it, or to the neighbor nearest it. */
  linkTo(server: string): Link | undefined {
    const via = this.routes.nextHop(server);
    return via === undefined ? undefined : this.links.links.get(via);
  }

  /** Whether a conversation's messages go elsewhere than the message writer: sealed here, or submitted to its home. */
  routesConv(conv: string): boolean {
    return this.home.isSealed(conv) || this.mirrors.isMirror(conv);
  }

  /** Sends a message to a sealed or mirrored conversation (send.ts, for those `routesConv` takes). */
  async append(actor: Actor, conv: string, message: NewMessage): Promise<AppendResult | (AppendResult & { pending: true }) | (AppendResult & { delivered: true })> {
    if (this.home.isSealed(conv)) return this.home.writer.append(message);
    const { message: stored } = await this.mirrors.send(actor, conv, message);
    if (stored) return { message: stored, duplicate: false, delivered: true };
    const placeholder: StoredMessage = { ...message, seq: 0 };
    return { message: placeholder, duplicate: false, pending: true };
  }

  /**
   * A local user joined or left a room (membership.ts): the followers of a room homed here hear
   * of it; leaving a mirrored room tells its home (signed, like the join was).
   */
  membershipChanged(room: Room, user: { id: string; name: string }, what: 'join' | 'part'): void {
    if (this.home.isSealed(room.key)) {
      const name = `${user.name}@${this.server.config.server_name.toLowerCase()}`;
      this.streams.broadcast(room.key, { t: 'room', home: this.identity.id, room: room.name, what, user: name });
    } else if (what === 'part' && this.mirrors.isMirror(room.key)) {
      // Only the id and name: the caller's user object holds its sessions, not for the wire.
      this.mirrors.parted(room, { id: user.id, name: user.name });
    }
  }

  /** A room homed here got a new topic: its followers hear of it (their mirrors take it). */
  topicChanged(room: Room, by: string): void {
    if (!this.home.isSealed(room.key)) return;
    const user = `${by}@${this.server.config.server_name.toLowerCase()}`;
    this.streams.broadcast(room.key, { t: 'room', home: this.identity.id, room: room.name, what: 'topic', topic: room.topic, user });
  }

  /** A room homed here was made end-to-end encrypted: its mirrors refuse plaintext from then on too. */
  encryptionTurnedOn(room: Room, by: string): void {
    if (!this.home.isSealed(room.key)) return;
    this.home.announce(room, { what: 'encrypted', user: `${by}@${this.server.config.server_name.toLowerCase()}` });
  }

  /** A room homed here is being deleted: the servers that follow it delete their mirrors. */
  roomDeleted(room: Room, by: string): void {
    if (!this.home.isSealed(room.key)) return;
    const user = `${by}@${this.server.config.server_name.toLowerCase()}`;
    this.streams.broadcast(room.key, { t: 'room', home: this.identity.id, room: room.name, what: 'deleted', user });
  }

  /** Members of a room from other servers (absolute names): remote members of a room homed here, or a mirror's as its home said. */
  roomMembers(conv: string): string[] {
    return this.home.isSealed(conv) ? this.home.memberNames(conv) : this.mirrors.membersOf(conv);
  }

  peerList(): PeerStatus[] {
    return this.peers.list().map((p) => {
      const hops = this.routes.hopsTo(p.id);
      return { ...p, linked: this.links.links.has(p.id), ...(hops !== undefined ? { hops } : {}) };
    });
  }

  /** `connect <host> <port>` at the console, in admin, or by an operator. */
  connect(host: string, port: number): void {
    this.links.dial(parsePeerAddress(`${host.includes(':') ? `[${host}]` : host}:${port}`), true);
  }

  /** By name or id; or by "host:port" for an address being dialed that never linked (then there is no record to return). */
  disconnect(nameOrId: string): PeerRecord | undefined {
    const peer = this.peers.byName(nameOrId) ?? this.peers.byId(nameOrId);
    if (peer) {
      this.links.forget(peer.id);
      return peer;
    }
    if (this.links.forget(nameOrId)) return undefined;
    throw new ParleyError('NO_SUCH_SERVER', `No server named ${nameOrId} is known here`);
  }

  /** After a reload: links to servers the denylist or allowlist now excludes are closed (and refused from now on). */
  enforceDenied(): void {
    for (const [id, link] of this.links.links) {
      if (this.peers.isDenied(id)) link.close(new ParleyError('FEDERATION_PEER_REFUSED', `server ${id} is not allowed to link here`));
    }
  }

  async close(): Promise<void> {
    await this.links.close();
  }

  async #up(link: Link, address: string | undefined): Promise<void> {
    const peer = link.peer!;
    const { log } = this.server;
    try {
      await this.peers.seen(peer, address);
    } catch (err) {
      log.warn({ err }, 'federation: saving a peer failed');
    }
    log.info({ peer: peer.name, id: peer.id, direction: link.direction }, 'federation link up');
    link.listen((frame) => this.#frame(link, frame));
    this.#ping(link);
    this.routes.linkUp(peer.id);
    link.send({ t: 'routes', list: this.routes.advertisement(peer.id) });
  }

  async #rerouted(): Promise<void> {
    for (const [id, link] of this.links.links) link.send({ t: 'routes', list: this.routes.advertisement(id) });
    this.#autoconnect();
    await this.mirrors.rerouted().catch((err: unknown) => this.server.log.warn({ err }, 'federation: following rooms on new routes failed'));
    await this.homeE2e.resendWelcomes().catch((err: unknown) => this.server.log.warn({ err }, 'federation: sending welcomes again failed'));
  }

  /** federation.autoconnect: links to servers learned from the others, up to that many links in all. */
  #autoconnect(): void {
    const want = this.server.config.federation.autoconnect;
    let links = this.links.links.size + this.links.targets().filter((t) => t.id === undefined || !this.links.links.has(t.id)).length;
    for (const { id } of this.routes.reachable()) {
      if (links >= want) return;
      const a = this.routes.announcement(id);
      const address = a?.addresses[0];
      if (!a || !address || this.links.links.has(id) || this.links.targets().some((t) => t.id === id) || this.peers.isDenied(id) || this.links.isForgotten(id)) continue;
      try {
        this.links.dial({ ...parsePeerAddress(address), id });
        links += 1;
      } catch {
        // An address this server cannot dial (announced wrong): skip it.
      }
    }
  }

  /** A link that hears nothing for three pings is dead (a half-open TCP connection hears nothing forever). */
  #ping(link: Link): void {
    let heard = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - heard > 45_000) return link.close(new ParleyError('FEDERATION_UNREACHABLE', 'no answer to pings'));
      link.send({ t: 'ping' });
    }, 15_000);
    timer.unref();
    link.onClose(() => clearInterval(timer));
    link.socket.on('data', () => (heard = Date.now()));
  }

  /** Frames of one link are handled one after another: events must be stored in the order they came. */
  #frame(link: Link, frame: LinkFrame): void {
    const next = (this.#queue.get(link) ?? Promise.resolve()).then(() => handleFrame(this, { link, frame, log: this.server.log, hopLimit: this.server.config.federation.hop_limit }));
    this.#queue.set(
      link,
      next.catch((err: unknown) => this.server.log.error({ err, frame: frame.t, peer: link.peer?.name }, 'federation: handling a frame failed')),
    );
  }
}
