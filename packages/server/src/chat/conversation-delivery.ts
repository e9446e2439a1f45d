import type { Logger } from 'pino';
import { conversationTopic, userTopic, type Bus, type BusMeta, type BusSubscription, type MessagePayload } from '../cluster/bus.ts';
import { reachesOtherNodes } from '../cluster/local-bus.ts';
import { ConversationSequencer } from '../cluster/sequencer.ts';
import type { Config } from '../config/schema.ts';
import type { Metrics } from '../metrics.ts';
import { ALL_CONVERSATION, type Store, type StoredMessage } from '../store/store.ts';
import { messageEvent } from './messages.ts';
import type { Session } from '../core/session.ts';
import type { Room } from './room.ts';
import type { RoomDirectory } from './room-directory.ts';
import type { Router } from './router.ts';
import type { User } from './user.ts';
import type { UserDirectory } from './user-directory.ts';

export interface DeliveryParts {
  bus: Bus;
  store: Store;
  rooms: RoomDirectory;
  users: UserDirectory;
  router: Router;
  metrics: Metrics;
  log: Logger;
  /** Restart-only keys: read once. */
  cluster: Config['cluster'];
}

const participants = new Map<string, readonly string[]>();

/** A payload that came while its conversation's start was read, and the session that sent it here. */
interface Waiting {
  payload: MessagePayload;
  meta: BusMeta;
  origin: Session | undefined;
}

/**
 * How far back a direct conversation first seen here at a seq past 1 is read, for messages sent
 * after its local participant came online that other nodes have not delivered yet.
 */
const DIRECT_LOOKBACK = 20;

/**
 * A message sent this long before its recipient came online still counts as sent since: it may
 * have been committed after (a send's time is taken before its commit), and nodes' clocks differ
 * a little. A session drops what it has already, so erring this way repeats nothing.
 */
const DIRECT_SINCE_MARGIN_MS = 2000;

/**
 * The participants of a direct conversation id "dm:<a>:<b>" (one id for a note to self), with
 * the user topics they are published on. Every DM asks this several times on its way (publish,
 * tracking, delivery), so each id is split once; the cache is bounded.
 */
export function dmParticipants(conv: string): readonly string[] {
  let found = participants.get(conv);
  if (found === undefined) {
    const [, a = '', b = ''] = conv.split(':');
    found = a === b ? [a] : [a, b];
    if (participants.size >= 50_000) participants.clear();
    participants.set(conv, found);
  }
  return found;
}

/**
 * Committed messages, from this node or another, to the sessions of this node. A commit is
 * published once on the bus (rooms and "all" on their conversation's topic, direct messages on
 * each participant's user topic); every node that has members there hands it to the sequencer,
 * which delivers each conversation strictly in seq order, once, filling gaps from the store.
 *
 * A node listens where it has members: a room's topic while one of its members is online here,
 * a user's topic while that user has a session here, and "all" always. When it starts to listen
 * it reads the conversation's last seq and delivers only what comes after it (what came before is
 * the joiner's history, not news); messages that arrive during that read are held and replayed.
 */
export class ConversationDelivery {
  readonly #sequencer: ConversationSequencer;
  readonly #rooms = new Map<string, BusSubscription>();
  readonly #users = new Map<string, BusSubscription>();
  /** Conversations whose start position is being read: what arrives meanwhile waits here. */
  readonly #starting = new Map<string, Waiting[]>();
  /** Whether other nodes publish here too (their messages can arrive after later local ones). */
  readonly #clustered: boolean;
  /** On a node of a cluster: when each local user came online (this node's clock). */
  readonly #onlineAt = new Map<string, number>();
  /** Tracked direct conversations per local user, to stop tracking when nobody of one is here. */
  readonly #directOf = new Map<string, Set<string>>();
  /** Accounts a remote message was queued for, by "conv seq", until it is delivered here. */
  readonly #queued = new Map<string, number[]>();
  #all: BusSubscription | undefined;
  readonly #epoch: string;
  /** The payload handed to #offer last, while a DM's publishes run (see #offer). */
  #offered: MessagePayload | undefined;
  /**
   * The sending session and its message while the commit is published (see committed): only
   * that message skips it, not others the sequencer releases behind it meanwhile.
   */
  #origin: { session: Session; message: StoredMessage } | undefined;
  /** Foreign epochs already logged, so a misconfigured neighbour is said once, not per message. */
  readonly #foreign = new Set<string>();

  constructor(private readonly parts: DeliveryParts) {
    const { cluster } = parts;
    this.#epoch = parts.store.epoch;
    this.#clustered = reachesOtherNodes(parts.bus);
    this.#sequencer = new ConversationSequencer({
      source: parts.store,
      deliver: (message) => this.#deliverHere(message),
      gapWaitMs: cluster.gap_wait_ms,
      tailCheckMs: cluster.tail_check_ms,
      onRepair: (kind, conv, messages) => {
        parts.metrics.busRepairs.inc({ kind }, messages);
        parts.log.info({ conv, messages, kind }, 'delivered messages the bus had not brought');
      },
      onError: (err) => parts.log.warn({ err }, 'reading missing messages from the store failed; retrying at the next check'),
    });
  }

  get sequencer(): ConversationSequencer {
    return this.#sequencer;
  }

  /** Listens to "all" from its current end. */
  async start(): Promise<void> {
    this.#all = this.parts.bus.subscribe(conversationTopic(ALL_CONVERSATION), (payload, meta) => {
      if (payload.t === 'message') this.#offer(payload, meta);
    });
    await this.#startAt(ALL_CONVERSATION);
  }

  /** After the message was committed: publish it once; this node's sessions get it inside. */
  /**
   * `origin`, the session that sent it, hears of it through its reply: the local delivery, which
   * runs inside `publish` (a Bus guarantee), leaves it out.
   */
  committed(message: StoredMessage, from: { pending?: readonly number[] | undefined; origin?: Session } = {}): void {
    const payload: MessagePayload = { t: 'message', epoch: this.#epoch, message };
    if (from.pending && from.pending.length > 0) payload.pending = [...from.pending];
    const { bus } = this.parts;
    this.#origin = from.origin === undefined ? undefined : { session: from.origin, message };
    try {
      if (message.conv.startsWith('dm:')) {
        for (const id of dmParticipants(message.conv)) bus.publish(userTopic(id), payload);
      } else {
        bus.publish(conversationTopic(message.conv), payload);
      }
    } finally {
      this.#origin = undefined;
      this.#offered = undefined;
    }
  }

  /** A member of the room is online here now (call after adding it to room.members). */
  roomEntered(room: Room): void {
    if (this.#rooms.has(room.key)) return;
    this.#rooms.set(
      room.key,
      this.parts.bus.subscribe(conversationTopic(room.key), (payload, meta) => {
        if (payload.t === 'message') this.#offer(payload, meta);
      }),
    );
    void this.#startAt(room.key);
  }

  /** Call after a member left room.members: the last local member stops the listening. */
  roomLeft(room: Room): void {
    if (room.members.size > 0) return;
    this.#rooms.get(room.key)?.unsubscribe();
    this.#rooms.delete(room.key);
    this.#starting.delete(room.key);
    this.#sequencer.untrack(room.key);
  }

  /** The user's first session here. */
  userOnline(user: User): void {
    if (this.#users.has(user.id)) return;
    if (this.#clustered) this.#onlineAt.set(user.id, Date.now());
    this.#users.set(
      user.id,
      this.parts.bus.subscribe(userTopic(user.id), (payload, meta) => {
        if (payload.t === 'message') this.#offer(payload, meta);
      }),
    );
  }

  /** The user's last session here closed. */
  userOffline(user: User): void {
    this.#users.get(user.id)?.unsubscribe();
    this.#users.delete(user.id);
    this.#onlineAt.delete(user.id);
    for (const conv of this.#directOf.get(user.id) ?? []) {
      if (dmParticipants(conv).some((id) => id !== user.id && this.parts.users.get(id))) continue;
      this.#sequencer.untrack(conv);
    }
    this.#directOf.delete(user.id);
  }

  close(): void {
    this.#sequencer.close();
    this.#all?.unsubscribe();
    for (const sub of [...this.#rooms.values(), ...this.#users.values()]) sub.unsubscribe();
    this.#rooms.clear();
    this.#users.clear();
  }

  async #startAt(conv: string): Promise<void> {
    if (this.#sequencer.isTracked(conv) || this.#starting.has(conv)) return;
    const held: Waiting[] = [];
    this.#starting.set(conv, held);
    let last: number;
    try {
      last = await this.parts.store.lastSeq(conv);
    } catch (err) {
      // Without a start position nothing can be ordered: listen from the first message that
      // arrives; the tail check and resume cover what came before it.
      this.parts.log.warn({ err, conv }, 'reading where a conversation ends failed');
      last = (held[0]?.payload.message.seq ?? 1) - 1;
    }
    if (this.#starting.get(conv) !== held) return; // stopped listening meanwhile
    this.#starting.delete(conv);
    this.#sequencer.track(conv, last);
    this.#replay(held);
  }

  /**
   * Offers what waited while a conversation's start was read, in the order it came, each as
   * when it arrived: its sender's session here is still left out, and the same payload offered
   * again is not taken for the second copy of a DM.
   */
  #replay(held: readonly Waiting[]): void {
    const [offered, origin] = [this.#offered, this.#origin];
    try {
      for (const waiting of held) {
        this.#offered = undefined;
        this.#origin = waiting.origin ? { session: waiting.origin, message: waiting.payload.message } : undefined;
        this.#offer(waiting.payload, waiting.meta, true);
      }
    } finally {
      [this.#offered, this.#origin] = [offered, origin];
    }
  }

  #waiting(payload: MessagePayload, meta: BusMeta): Waiting {
    return { payload, meta, origin: this.#origin?.message === payload.message ? this.#origin.session : undefined };
  }

  /** `replayed`: it waited while its conversation's start was read (its bus lag is counted already). */
  #offer(payload: MessagePayload, meta: BusMeta, replayed = false): void {
    // A DM is published on both participants' topics: when both are here, this node hears the
    // same payload twice in a row, and the second adds nothing.
    if (payload === this.#offered) return;
    this.#offered = payload;
    if (payload.epoch !== this.#epoch) return this.#foreignEpoch(payload, meta);
    const { message } = payload;
    const conv = message.conv;
    if (!meta.local && !replayed) this.parts.metrics.busLag.observe(Math.max(0, Date.now() - message.createdAt) / 1000);
    const held = this.#starting.get(conv);
    if (held) {
      held.push(this.#waiting(payload, meta));
      return;
    }
    if (!this.#sequencer.isTracked(conv)) {
      if (!conv.startsWith('dm:')) return;
      const local = this.#localParticipants(conv);
      if (local.length === 0) return;
      if (this.#clustered && message.seq > 1) {
        void this.#startDirect(conv, this.#waiting(payload, meta));
        return;
      }
      this.#trackDirect(conv, local, message.seq === 1 ? 0 : message.seq - 1);
    }
    // Queued on another node: this node takes it off the queue when it delivers it live here.
    if (payload.pending && !meta.local) this.#remember(message, payload.pending);
    this.#sequencer.offer(message, payload.origin);
  }

  #localParticipants(conv: string): string[] {
    return dmParticipants(conv).filter((id) => this.parts.users.get(id));
  }

  /**
   * A direct conversation starts being ordered at its first message that reaches a local
   * participant: from the start when that is seq 1 (a new conversation), else from just before
   * it (older messages are the participants' history, and their pending queue if offline). On
   * a node of a cluster, see #startDirect.
   */
  #trackDirect(conv: string, local: readonly string[], after: number): void {
    this.#sequencer.track(conv, after);
    for (const id of local) {
      const set = this.#directOf.get(id) ?? new Set<string>();
      set.add(conv);
      this.#directOf.set(id, set);
    }
  }

  /**
   * The first message of a direct conversation to reach this node of a cluster, seq n > 1:
   * "from just before it" would drop messages before n that other nodes committed first and
   * have not delivered yet (commit order is not arrival order: both of a pair writing their
   * first lines at once, each on its node, is the common case). So it starts after the last
   * message sent before its local participant came online, read from the store (one read per
   * conversation while someone of it is here); what arrives meanwhile waits, as for a room.
   * The sequencer then gets the rest from the bus or, after the gap wait, from the store.
   */
  async #startDirect(conv: string, first: Waiting): Promise<void> {
    const held: Waiting[] = [first];
    this.#starting.set(conv, held);
    const seq = first.payload.message.seq;
    let after = seq - 1;
    try {
      const since = Math.min(...this.#localParticipants(conv).map((id) => this.#onlineAt.get(id) ?? Number.POSITIVE_INFINITY)) - DIRECT_SINCE_MARGIN_MS;
      const before = await this.parts.store.history(conv, { before: seq, limit: DIRECT_LOOKBACK });
      // The first one sent since then, and everything after it (send times need not rise with seqs).
      const news = before.find((m) => m.createdAt >= since);
      if (news) after = news.seq - 1;
    } catch (err) {
      this.parts.log.warn({ err, conv }, 'reading where a direct conversation starts failed; starting at its first message here');
    }
    if (this.#starting.get(conv) !== held) return;
    this.#starting.delete(conv);
    const local = this.#localParticipants(conv);
    if (local.length === 0) return; // gone offline meanwhile
    this.#trackDirect(conv, local, after);
    this.#replay(held);
  }

  /** Its seqs are another store's: delivering them would be wrong, ordering them against ours worse. */
  #foreignEpoch(payload: MessagePayload, meta: BusMeta): void {
    this.parts.metrics.busForeign.inc();
    if (this.#foreign.has(payload.epoch) || this.#foreign.size >= 100) return;
    this.#foreign.add(payload.epoch);
    this.parts.log.error(
      { from: meta.from, epoch: payload.epoch, ours: this.#epoch },
      'a node of another store publishes on this bus; its messages are dropped. Give each server its own nats_subject_prefix',
    );
  }

  #remember(message: StoredMessage, accounts: number[]): void {
    // Bounded: a message that is never delivered here (nobody of it online) must not pile up.
    if (this.#queued.size >= 10_000) this.#queued.clear();
    this.#queued.set(`${message.conv} ${message.seq}`, accounts);
  }

  #deliverHere(message: StoredMessage): void {
    const { router, rooms, users } = this.parts;
    const out = messageEvent(message);
    const conv = message.conv;
    const except = this.#origin?.message === message ? this.#origin.session : undefined;
    if (conv === ALL_CONVERSATION) {
      router.localEveryone(out, except);
    } else if (conv.startsWith('dm:')) {
      let queued: number[] | undefined;
      if (this.#queued.size > 0) {
        const key = `${conv} ${message.seq}`;
        queued = this.#queued.get(key);
        this.#queued.delete(key);
      }
      for (const id of dmParticipants(conv)) {
        const user = users.get(id);
        if (!user) continue;
        router.localUser(user, out, except);
        if (user.accountId !== undefined && queued?.includes(user.accountId)) {
          this.parts.store.clearPending(user.accountId, [message]).catch((err: unknown) => this.parts.log.warn({ err }, 'clearPending failed'));
        }
      }
    } else {
      const room = rooms.byKey(conv);
      if (room) router.localRoom(room, out, except);
    }
  }
}
