import { ParleyError } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { parseListenAddress, parsePeerAddress } from '../config/listen-address.ts';
import type { AppendResult, FederationStore, NewMessage, PeerRecord, StoredMessage } from '../store/store.ts';
import type { TlsMaterial } from '../transports/tls-certificate.ts';
import { HomeRooms } from './home-rooms.ts';
import type { LinkFrame } from './link-frames.ts';
import { LinkManager } from './link-manager.ts';
import type { Link } from './link.ts';
import { Mirrors } from './mirrors.ts';
import { PeerDirectory } from './peer-directory.ts';
import type { ServerIdentity } from './server-identity.ts';

export interface PeerStatus extends PeerRecord {
  linked: boolean;
}

/**
 * This server's part in a federation: its links (link-manager.ts), the servers it knows
 * (peer-directory.ts), the rooms homed here that others follow (home-rooms.ts) and the rooms it
 * mirrors from their homes (mirrors.ts). Commands reach it through ServerContext.federation.
 */
export class Federation {
  readonly peers: PeerDirectory;
  readonly home: HomeRooms;
  readonly mirrors: Mirrors;
  readonly links: LinkManager;

  readonly identity: ServerIdentity;

  private constructor(
    private readonly server: ServerContext,
    { identity, store, tls }: { identity: ServerIdentity; store: FederationStore; tls: TlsMaterial },
  ) {
    this.identity = identity;
    const { config, log } = server;
    this.peers = new PeerDirectory(store, () => this.server.config, { id: identity.id, name: config.server_name });
    const parts = { store, identity, peers: this.peers, links: () => this.links.links };
    this.home = new HomeRooms(server, parts);
    this.mirrors = new Mirrors(server, parts);
    this.links = new LinkManager({
      identity,
      name: config.server_name.toLowerCase(),
      tls,
      log,
      limits: () => ({ maxFrameBytes: this.server.config.federation.max_frame_bytes, framesPerSecond: this.server.config.federation.frames_per_second }),
      hooks: {
        refusal: (peer, expected) => this.peers.refusal(peer, expected),
        up: (link, address) => void this.#up(link, address),
        down: (link, reason) => log.info({ peer: link.peer?.name, id: link.peer?.id, reason }, 'federation link down'),
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
    const { federation: config } = server.config;
    await federation.links.listen(config.listen.map(parseListenAddress));
    for (const entry of config.peers) federation.links.dial(parsePeerAddress(entry));
    return federation;
  }

  /** Whether a room's messages go elsewhere than the message writer: sealed here, or submitted to its home. */
  routes(room: Room): boolean {
    return this.home.isSealed(room.key) || this.mirrors.isMirror(room.key);
  }

  /** Sends a message to a followed or mirrored room (send.ts, for rooms `routes` takes). */
  async append(actor: Actor, room: Room, message: NewMessage): Promise<AppendResult | (AppendResult & { pending: true }) | (AppendResult & { delivered: true })> {
    if (this.home.isSealed(room.key)) {
      const [result] = await this.home.append(room.key, [message]);
      return result!;
    }
    const { message: stored, pending } = await this.mirrors.send(actor, room, message);
    if (stored) return { message: stored, duplicate: false, delivered: true };
    if (!pending) throw new ParleyError('INTERNAL', `no answer and not pending for ${room.name}`);
    const placeholder: StoredMessage = { ...message, seq: 0 };
    return { message: placeholder, duplicate: false, pending: true };
  }

  peerList(): PeerStatus[] {
    return this.peers.list().map((p) => ({ ...p, linked: this.links.links.has(p.id) }));
  }

  /** `connect <host> <port>` at the console, in admin, or by an operator. */
  connect(host: string, port: number): void {
    this.links.dial({ ...parsePeerAddress(`${host.includes(':') ? `[${host}]` : host}:${port}`) });
  }

  disconnect(nameOrId: string): PeerRecord {
    const peer = this.peers.byName(nameOrId) ?? this.peers.byId(nameOrId);
    if (!peer) throw new ParleyError('NO_SUCH_SERVER', `No server named ${nameOrId} is known here`);
    this.links.forget(peer.id);
    return peer;
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
    await this.mirrors.linked(link).catch((err: unknown) => log.warn({ err }, 'federation: resuming mirrored rooms failed'));
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

  #frame(link: Link, frame: LinkFrame): void {
    const run = async (): Promise<void> => {
      switch (frame.t) {
        case 'ping':
          return link.send({ t: 'pong' });
        case 'join':
          return this.home.join(link, frame);
        case 'part':
          return this.home.part(link, frame);
        case 'follow':
          return this.home.follow(link, frame);
        case 'submit':
          return this.home.submit(link, frame.s);
        case 'joined':
        case 'refused':
          return this.mirrors.answered(frame);
        case 'accepted':
        case 'rejected':
          return this.mirrors.acknowledged(frame);
        case 'events':
          return this.mirrors.events(link, frame.list);
        case 'room':
          return this.#roomEvent(link, frame);
        case 'pong':
          return;
        default:
          return link.close(new ParleyError('FEDERATION_BAD_FRAME', `${frame.t} is not expected after the handshake`));
      }
    };
    // Frames of one link are handled one after another: events must be stored in order.
    this.#queue.set(link, (this.#queue.get(link) ?? Promise.resolve()).then(run).catch((err: unknown) => {
      this.server.log.error({ err, frame: frame.t, peer: link.peer?.name }, 'federation: handling a frame failed');
    }));
  }

  readonly #queue = new WeakMap<Link, Promise<void>>();

  /** A name as the home shows it ("bob", "alice@a.example") as this server shows it ("bob@b.example", "alice"). */
  #asSeenHere(name: string, home: string): string {
    const own = `@${this.server.config.server_name.toLowerCase()}`;
    if (!name.includes('@')) return `${name}@${home}`;
    return name.endsWith(own) ? name.slice(0, -own.length) : name;
  }

  #roomEvent(link: Link, frame: Extract<LinkFrame, { t: 'room' }>): void {
    const room = this.server.rooms.find(`${frame.room}@${link.peer!.name}`);
    if (!room || !this.mirrors.isMirror(room.key)) return;
    if (frame.what === 'topic' && frame.topic !== undefined) {
      void this.server.rooms.setTopic(room, frame.topic);
      return;
    }
    if (frame.what === 'topic' || !frame.user) return;
    this.server.router.localRoom(room, new OutboundEvent({ ev: frame.what, room: room.name, user: this.#asSeenHere(frame.user, link.peer!.name) }));
  }
}
