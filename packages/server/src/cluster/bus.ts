import type { StoredMessage } from '../store/message-log.ts';

/**
 * The seam between "a message was committed" and "the sessions that should have it get it", and
 * the path of every other event that has to reach sessions on other nodes of one server.
 *
 * Topics (the NATS bus maps each to a subject under its prefix):
 * - `conv.<conversation id>`: committed messages of a conversation (rooms, DMs, "all"), in the
 *   `message` payload. Nodes subscribe where they have members.
 * - `room.<room key>`: a room's events without a seq (joins, parts, topic, modes, notices).
 * - `user.<user id>`: events for one user's sessions wherever they are (kicks, bans, device
 *   revocation, presence answers).
 * - `cluster`: node heartbeats and cluster-wide changes (moderation, rooms created or deleted).
 *
 * Guarantees, for every implementation (the Bus conformance suite in @parley/testkit checks them):
 * - A payload published on a node reaches that node's own subscribers synchronously, inside
 *   `publish`, before it returns, and exactly once.
 * - It reaches other nodes' subscribers at most once. Payloads of one publisher arrive in the
 *   order it published them; payloads of different publishers arrive in any order. Nothing is
 *   kept for a node that was not subscribed or not connected: the store is the record, and
 *   delivery repairs gaps from it (cluster/sequencer.ts).
 * - `publish` never throws and never waits: a payload that cannot leave the node is counted in
 *   `stats().dropped` and repaired by the receivers' tail check.
 * - Handlers run one at a time per node, each payload to the handlers of its topic in the order
 *   they subscribed; a handler that throws is logged and does not stop the others.
 */
export interface Bus {
  /** This node's id, as other nodes see it in `BusMeta.from`. */
  readonly nodeId: string;
  readonly kind: 'local' | 'nats';
  publish(topic: string, payload: BusPayload): void;
  /** The handler gets payloads published on this node and on others. */
  subscribe(topic: string, handler: BusHandler): BusSubscription;
  stats(): BusStats;
  /** Unsubscribes everything; publishes after close are dropped and counted. */
  close(): Promise<void>;
}

export interface BusSubscription {
  unsubscribe(): void;
}

export type BusHandler = (payload: BusPayload, meta: BusMeta) => void;

export interface BusMeta {
  /** The node that published it. */
  from: string;
  /** True when it was published on this node (delivered synchronously, never encoded). */
  local: boolean;
}

export interface BusStats {
  /** Whether payloads can reach other nodes right now (always true for the local bus). */
  connected: boolean;
  published: number;
  received: number;
  /** Payloads that could not be sent to other nodes (disconnected, closed, too large). */
  dropped: number;
}

/**
 * What travels on the bus: JSON-shaped data only (the NATS bus encodes it with MessagePack),
 * so the same payload works in-process and between nodes.
 */
export type BusPayload = MessagePayload | EventPayload;

/** A committed message: receivers deliver each conversation strictly in seq order. */
export interface MessagePayload {
  t: 'message';
  /** The publisher's store (StoreInfo.epoch): receivers drop messages of another store's epoch. */
  epoch: string;
  message: StoredMessage;
  /**
   * Accounts the message was queued for as offline (they were not online on the sending node).
   * A node that delivers it live to one of them takes it off that account's queue.
   */
  pending?: number[];
  /**
   * The connection that sent it, as `<node id>/<session id>`: it hears through its reply, so
   * delivery skips it. Absent for messages nobody on a session sent.
   */
  origin?: string;
}

/**
 * Any other event: `kind` says what it is, `data` carries what that kind needs (each kind's
 * shape is defined where it is published and handled, in cluster/). `origin` as above.
 */
export interface EventPayload {
  t: 'event';
  kind: string;
  data: unknown;
  origin?: string;
}

/** The largest payload the NATS bus sends (NATS's default max_payload is 1 MiB). */
export const MAX_BUS_PAYLOAD_BYTES = 1024 * 1024;

export function conversationTopic(conv: string): string {
  return `conv.${conv}`;
}

export function roomTopic(roomKey: string): string {
  return `room.${roomKey}`;
}

const userTopics = new Map<string, string>();

/** Kept per id: every DM publishes on two of these, and a string made anew is hashed anew at each lookup. */
export function userTopic(userId: string): string {
  let topic = userTopics.get(userId);
  if (topic === undefined) {
    topic = `user.${userId}`;
    if (userTopics.size >= 50_000) userTopics.clear();
    userTopics.set(userId, topic);
  }
  return topic;
}

export const CLUSTER_TOPIC = 'cluster';
