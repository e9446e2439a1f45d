import type { AppendResult, NewMessage, StoredMessage } from './message-log.ts';
import type { GroupDevice, WelcomeRecord } from './e2e-store.ts';

/**
 * What a federating server keeps of the network (federation/): the servers it knows, the rooms
 * it mirrors from their homes, the servers that mirror its rooms, and every room event as its
 * home signed it, beside the message it became in the message log. Conversation keys are this
 * server's (`#dev` for a room homed here, `#dev@b.example` for one mirrored from b.example).
 *
 * Concurrency: one process, the server, writes it (the SQLite store; federation over PostgreSQL
 * is not built yet, see docs/federation.md). The appends below commit the message and its event
 * in one transaction, so a crash never leaves a message without its signed event or the reverse.
 */
export interface PeerRecord {
  id: string;
  name: string;
  /** Where it was reached or said it listens, "host:port", newest first. */
  addresses: string[];
  lastSeen: number;
  /** An operator banned it (or it equivocated): links are refused, its envelopes dropped. */
  denied: boolean;
}

/** A room homed elsewhere that this server mirrors: its local key and where it lives. */
export interface MirroredRoomRecord {
  conv: string;
  home: string;
  /** Its name at home ("#dev"). */
  room: string;
  /** The home's last seq when this server first joined: the mirror starts after it. */
  start: number;
}

/** A user of another server who is a member of a room homed here. */
export interface RemoteMemberRecord {
  conv: string;
  /** `<their id at home>@<server id>`. */
  userId: string;
  name: string;
  server: string;
}

/** A room event as stored: `envelope` is the JSON of federation/envelope.ts's Envelope. */
export interface FederatedEventRecord {
  conv: string;
  seq: number;
  origin: string;
  sub: number;
  hash: string;
  envelope: string;
}

/**
 * What a sealer makes of one message of a room homed here (see appendSealed): `index` is the
 * message's place in the batch, undefined for a message another path wrote; `nextSub` hands out
 * this server's next submission number, in the same transaction.
 */
export type Sealer = (message: StoredMessage, at: { prev: string; index: number | undefined; nextSub: () => number }) => Omit<FederatedEventRecord, 'conv' | 'seq'>;

export interface OutboxRecord {
  sub: number;
  conv: string;
  /** The JSON of the signed Submission. */
  submission: string;
  createdAt: number;
}

export type ReplicaAppendResult =
  | { kind: 'stored'; message: StoredMessage }
  | { kind: 'duplicate' }
  /** The conversation's last event is not seq - 1: wait for, or fetch, what comes between. */
  | { kind: 'gap'; last: number }
  /** Another event with this (conv, seq) is stored: the home signed two. */
  | { kind: 'conflict'; stored: string };

export interface FederationStore {
  peers(): Promise<PeerRecord[]>;
  savePeer(peer: PeerRecord): Promise<void>;

  mirroredRooms(): Promise<MirroredRoomRecord[]>;
  saveMirroredRoom(room: MirroredRoomRecord): Promise<void>;

  /** Rooms homed here and the servers that follow each (conv -> server ids). */
  followers(): Promise<Map<string, string[]>>;
  setFollower(conv: string, server: string, on: boolean): Promise<void>;
  remoteMembers(): Promise<RemoteMemberRecord[]>;
  setRemoteMember(member: RemoteMemberRecord, on: boolean): Promise<void>;

  /** The seq of the last event stored for the conversation, 0 for none. */
  lastEventSeq(conv: string): Promise<number>;
  /** Events of a conversation above `after`, ascending, at most `limit`. */
  eventsAfter(conv: string, after: number, limit: number): Promise<FederatedEventRecord[]>;
  /** The event of a submission, if it was sequenced (a repeated submission is answered with it). */
  eventOfSubmission(origin: string, sub: number): Promise<FederatedEventRecord | undefined>;

  /**
   * Makes a room homed here sealed from now on: every message after its current last one gets an
   * event (at the next appendSealed). Idempotent; a room sealed once stays sealed.
   */
  startSealing(conv: string): Promise<void>;

  /**
   * Appends messages to a room homed here and seals each: in one transaction, every message of
   * the conversation without an event yet (written by another path since the last seal, or since startSealing) and then
   * the batch's get their events, in seq order, each chained to the one before. A duplicate
   * (repeated cmid) is returned as such and sealed nothing.
   */
  appendSealed(conv: string, batch: readonly NewMessage[], seal: Sealer): Promise<AppendResult[]>;

  /**
   * Stores an event of a mirrored room and its message, at exactly the event's seq: the first
   * event of a conversation may start anywhere (the mirror starts where it joined); after that
   * only seq = last + 1 is taken.
   */
  appendReplica(event: FederatedEventRecord, message: NewMessage): Promise<ReplicaAppendResult>;

  /**
   * appendReplica for each, in order, in one transaction (a frame of events is one commit). The
   * results are in input order and stop after the first gap or conflict: what follows it is not
   * stored (its predecessor is missing, or the home is not to be trusted).
   */
  appendReplicas(items: readonly { event: FederatedEventRecord; message: NewMessage }[]): Promise<ReplicaAppendResult[]>;

  /** Submission counter of this server: never the same value twice, across restarts. */
  nextSub(): Promise<number>;
  addOutbox(entry: OutboxRecord): Promise<void>;
  outbox(): Promise<OutboxRecord[]>;
  removeOutbox(sub: number): Promise<void>;

  /** A Welcome from a conversation's home elsewhere for a device of this server (kept by (device, group); a newer one replaces it). */
  putWelcome(welcome: WelcomeRecord): Promise<void>;
  welcomesFor(device: GroupDevice): Promise<WelcomeRecord[]>;
  deleteWelcome(device: GroupDevice, groupId: string): Promise<void>;
  /** Welcomes of groups homed here for devices of other servers (user ids `<id>@<server id>`), not acknowledged by their server yet. */
  welcomesOfOtherServers(): Promise<WelcomeRecord[]>;
}
