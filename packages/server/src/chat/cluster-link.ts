import type { ServerEvent } from '@parley/protocol';
import { CLUSTER_TOPIC, roomTopic, userTopic, type BusPayload, type BusSubscription, type EventPayload } from '../cluster/bus.ts';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { ClusterRoster, type RemoteUser, type RosterUpdate } from './cluster-roster.ts';
import type { Room } from './room.ts';
import type { RemoteEvents } from './router.ts';
import type { User } from './user.ts';

/** Cluster-wide changes a node announces on the cluster topic. */
type ClusterEvent =
  | { kind: 'heartbeat'; data: { node: string; version: number } }
  /** `node`: whose snapshot is wanted, "*" for everyone's (a node that just started). */
  | { kind: 'snapshot-request'; data: { node: string } }
  | { kind: 'roster'; data: RosterUpdate }
  | { kind: 'everyone'; data: ServerEvent }
  | { kind: 'peers'; data: { user: string; rooms: string[]; includeSelf: boolean; event: ServerEvent } }
  | { kind: 'moderation'; data: null }
  | { kind: 'room'; data: { key: string } }
  /** Message tokens users spent here since the last heartbeat, for their buckets on other nodes. */
  | { kind: 'rates'; data: [string, number][] };

/**
 * This node's part in a cluster, beside the committed messages (conversation-delivery.ts):
 * events without a seq (joins, parts, topics, presence, notices) reach the other nodes' sessions;
 * the roster says who is online where; moderation and room changes made here make the other
 * nodes re-read them at once. Only made when the bus reaches other nodes.
 */
export class ClusterLink implements RemoteEvents {
  readonly roster = new ClusterRoster();
  readonly #rooms = new Map<string, BusSubscription>();
  readonly #users = new Map<string, BusSubscription>();
  readonly #timers: NodeJS.Timeout[] = [];
  #cluster: BusSubscription | undefined;
  #version = 0;
  readonly #spent = new Map<string, number>();

  constructor(
    private readonly server: ServerContext,
    private readonly hooks: {
      syncModeration: () => void;
      refreshRoom: (key: string) => void;
      nodeGone: (node: string, users: RemoteUser[]) => void;
      kicked: (user: User, kick: KickOrder) => void;
    },
  ) {}

  start(): void {
    const { bus, config } = this.server;
    this.#cluster = bus.subscribe(CLUSTER_TOPIC, (payload, meta) => {
      if (!meta.local && isEvent(payload)) this.#onClusterEvent(payload as ClusterEvent & EventPayload, meta.from);
    });
    // Everyone answers with a snapshot, so a node that starts (or restarts) learns the roster.
    this.#publish({ kind: 'snapshot-request', data: { node: '*' } });
    this.#announceSnapshot();
    const heartbeat = setInterval(() => {
      this.#publish({ kind: 'heartbeat', data: { node: bus.nodeId, version: this.#version } });
      if (this.#spent.size > 0) {
        this.#publish({ kind: 'rates', data: [...this.#spent] });
        this.#spent.clear();
      }
    }, config.cluster.heartbeat_ms);
    const expiry = setInterval(() => {
      for (const { node, users } of this.roster.expire(Date.now(), config.cluster.node_timeout_ms)) this.hooks.nodeGone(node, users);
    }, Math.max(50, Math.floor(config.cluster.node_timeout_ms / 4)));
    for (const timer of [heartbeat, expiry]) {
      timer.unref();
      this.#timers.push(timer);
    }
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#cluster?.unsubscribe();
    for (const sub of [...this.#rooms.values(), ...this.#users.values()]) sub.unsubscribe();
  }

  // RemoteEvents: the local sessions have it; the other nodes deliver it to theirs.
  toRoom(room: Room, event: ServerEvent): void {
    this.server.bus.publish(roomTopic(room.key), { t: 'event', kind: 'frame', data: event });
  }

  toUser(user: User, event: ServerEvent): void {
    this.server.bus.publish(userTopic(user.id), { t: 'event', kind: 'frame', data: event });
  }

  toEveryone(event: ServerEvent): void {
    this.#publish({ kind: 'everyone', data: event });
  }

  toRoomPeers(user: User, event: ServerEvent, includeSelf: boolean): void {
    this.#publish({ kind: 'peers', data: { user: user.id, rooms: [...user.rooms.keys()], includeSelf, event } });
  }

  /** An event for a user's sessions, wherever they are (this node's got it already, if any). */
  toUserId(userId: string, event: ServerEvent): void {
    this.server.bus.publish(userTopic(userId), { t: 'event', kind: 'frame', data: event });
  }

  /** Kicks a user online on other nodes: out of a room, or (no room) off the server. */
  kick(userId: string, kick: KickOrder): void {
    this.server.bus.publish(userTopic(userId), { t: 'event', kind: 'kick', data: kick });
  }

  /**
   * A message token the user spent here. Only an account online on another node too is counted:
   * its buckets there are debited at the next heartbeat, so the messages_per_minute of a user
   * holds across its connections on every node, at most one heartbeat late.
   */
  spentMessage(user: User): void {
    if (user.accountId === undefined || !this.roster.get(user.id)) return;
    this.#spent.set(user.id, (this.#spent.get(user.id) ?? 0) + 1);
  }

  /** Roles, bans or disabled commands changed here: the other nodes re-read them now. */
  moderationChanged(): void {
    this.#publish({ kind: 'moderation', data: null });
  }

  /** A room was created, deleted, or its topic, modes or grants changed here. */
  roomChanged(key: string): void {
    this.#publish({ kind: 'room', data: { key } });
  }

  /** A member of the room is online here now. */
  roomEntered(room: Room, user: User): void {
    if (!this.#rooms.has(room.key)) {
      this.#rooms.set(room.key, this.server.bus.subscribe(roomTopic(room.key), (payload, meta) => this.#onFrame(payload, meta.local, (out) => this.server.router.localRoom(room, out))));
    }
    this.userChanged(user);
  }

  roomLeft(room: Room, user: User): void {
    if (room.members.size === 0) {
      this.#rooms.get(room.key)?.unsubscribe();
      this.#rooms.delete(room.key);
    }
    if (user.sessions.size > 0) this.userChanged(user);
  }

  userOnline(user: User): void {
    if (!this.#users.has(user.id)) {
      this.#users.set(
        user.id,
        this.server.bus.subscribe(userTopic(user.id), (payload, meta) => {
          if (!meta.local && payload.t === 'event' && payload.kind === 'kick' && isKickOrder(payload.data)) this.hooks.kicked(user, payload.data);
          else this.#onFrame(payload, meta.local, (out) => this.server.router.localUser(user, out));
        }),
      );
    }
    this.userChanged(user);
  }

  userOffline(user: User): void {
    this.#users.get(user.id)?.unsubscribe();
    this.#users.delete(user.id);
    this.#publish({ kind: 'roster', data: { op: 'remove', node: this.server.bus.nodeId, version: ++this.#version, id: user.id } });
  }

  /** The user's name, status or rooms changed here. */
  userChanged(user: User): void {
    if (user.sessions.size === 0) return;
    this.#publish({ kind: 'roster', data: { op: 'set', node: this.server.bus.nodeId, version: ++this.#version, user: remoteUser(user) } });
  }

  #publish(event: ClusterEvent): void {
    this.server.bus.publish(CLUSTER_TOPIC, { t: 'event', kind: event.kind, data: event.data });
  }

  #announceSnapshot(): void {
    const users = [...this.server.users.all()].filter((u) => u.sessions.size > 0).map(remoteUser);
    this.#publish({ kind: 'roster', data: { op: 'snapshot', node: this.server.bus.nodeId, version: this.#version, users } });
  }

  #onFrame(payload: BusPayload, local: boolean, deliver: (out: OutboundEvent) => void): void {
    if (local || payload.t !== 'event' || payload.kind !== 'frame' || !isServerEvent(payload.data)) return;
    deliver(new OutboundEvent(payload.data));
  }

  #onClusterEvent(event: ClusterEvent, from: string): void {
    const { router, rooms, users, bus } = this.server;
    const now = Date.now();
    switch (event.kind) {
      case 'heartbeat':
        if (!this.roster.heartbeat(event.data.node, event.data.version, now)) this.#publish({ kind: 'snapshot-request', data: { node: event.data.node } });
        return;
      case 'snapshot-request':
        if (event.data.node === '*' || event.data.node === bus.nodeId) this.#announceSnapshot();
        return;
      case 'roster':
        if (event.data.node !== from) return;
        if (!this.roster.apply(event.data, now)) this.#publish({ kind: 'snapshot-request', data: { node: from } });
        return;
      case 'everyone':
        if (isServerEvent(event.data)) router.localEveryone(new OutboundEvent(event.data));
        return;
      case 'peers': {
        if (!isServerEvent(event.data.event)) return;
        const local = event.data.rooms.map((key) => rooms.byKey(key)).filter((room): room is Room => room !== undefined);
        const self = users.get(event.data.user);
        router.localRoomPeers({ user: self ?? event.data.user, rooms: local, includeSelf: event.data.includeSelf }, new OutboundEvent(event.data.event));
        return;
      }
      case 'moderation':
        this.hooks.syncModeration();
        return;
      case 'room':
        this.hooks.refreshRoom(event.data.key);
        return;
      case 'rates':
        if (!Array.isArray(event.data)) return;
        for (const [id, count] of event.data) {
          if (typeof count === 'number' && count > 0) users.get(id)?.messageRate.debit(count, now);
        }
        return;
    }
  }
}

/** A kick made on another node for a user online here. */
export interface KickOrder {
  room?: string | undefined;
  kind: 'kick';
  by: string;
  reason?: string | undefined;
}

function isKickOrder(data: unknown): data is KickOrder {
  const order = data as Partial<KickOrder> | null;
  return typeof order === 'object' && order !== null && typeof order.by === 'string' && (order.room === undefined || typeof order.room === 'string');
}

function remoteUser(user: User): RemoteUser {
  return { id: user.id, name: user.name, kind: user.kind, status: user.status, rooms: [...user.rooms.keys()] };
}

function isEvent(payload: BusPayload): payload is EventPayload {
  return payload.t === 'event' && typeof payload.kind === 'string';
}

function isServerEvent(data: unknown): data is ServerEvent {
  return typeof data === 'object' && data !== null && typeof (data as { ev?: unknown }).ev === 'string';
}
