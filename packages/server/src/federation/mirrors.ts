import { ParleyError, splitServer, type MessageKind } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import type { FederationStore, MirroredRoomRecord, NewMessage, StoredMessage } from '../store/store.ts';
import { envelopeFault, eventHash, signSubmission, type Envelope, type Submission } from './envelope.ts';
import type { FrameOf } from './link-frames.ts';
import type { Link } from './link.ts';
import type { PeerDirectory } from './peer-directory.ts';
import type { ServerIdentity } from './server-identity.ts';
import { remoteUserId } from './home-rooms.ts';

const JOIN_TIMEOUT_MS = 10_000;

interface Waiter {
  /** The stored message, why the home refused it, or undefined: no answer in time (pending). */
  resolve(outcome: StoredMessage | ParleyError | undefined): void;
  /** The seq the home answered with (a repeated cmid: no new event comes). */
  seq?: number;
  conv: string;
  /** The sending connection: it hears through its reply, so the message event skips it. */
  session: Actor['session'];
}

/**
 * Rooms homed on other servers, mirrored here: the home's events are verified, stored and
 * appended to this server's message log at the home's own seqs (store appendReplica), so local
 * members read them, resume and page history exactly as in a local room. Local users' sends
 * become signed submissions, kept in the outbox until the home has sequenced them.
 */
export class Mirrors {
  readonly #rooms = new Map<string, MirroredRoomRecord>();
  readonly #joins = new Map<number, { resolve(frame: FrameOf<'joined'> | FrameOf<'refused'>): void }>();
  readonly #waiters = new Map<number, Waiter>();
  #rid = 0;

  constructor(
    private readonly server: ServerContext,
    private readonly parts: { store: FederationStore; identity: ServerIdentity; peers: PeerDirectory; links: () => Map<string, Link> },
  ) {}

  async load(): Promise<void> {
    for (const room of await this.parts.store.mirroredRooms()) this.#rooms.set(room.conv, room);
  }

  isMirror(conv: string): boolean {
    return this.#rooms.has(conv);
  }

  /** A link to a home is up: follow its rooms from where each stopped, and resend what waits for it. */
  async linked(link: Link): Promise<void> {
    const { store } = this.parts;
    const home = link.peer!.id;
    for (const room of this.#rooms.values()) {
      if (room.home !== home) continue;
      link.send({ t: 'follow', room: room.room, after: Math.max(room.start, await store.lastEventSeq(room.conv)) });
    }
    for (const entry of await store.outbox()) {
      const s = JSON.parse(entry.submission) as Submission;
      if (s.home === home) link.send({ t: 'submit', s });
    }
  }

  /** JOIN #dev@b.example: the home says yes (or why not), then the room is mirrored here. */
  async join(actor: Actor, name: string, password: string | undefined): Promise<Room> {
    const { local, server } = splitServer(name);
    const peer = this.parts.peers.byName(server ?? '');
    if (!peer) throw new ParleyError('NO_SUCH_SERVER', `No server named ${server} is linked to this one`);
    const link = this.parts.links().get(peer.id);
    if (!link) throw new ParleyError('FEDERATION_UNREACHABLE', `${peer.name} is not linked right now`);
    const rid = ++this.#rid;
    const answer = await new Promise<FrameOf<'joined'> | FrameOf<'refused'> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), JOIN_TIMEOUT_MS);
      this.#joins.set(rid, { resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
      link.send({ t: 'join', rid, room: local, user: { id: actor.user.id, name: actor.user.name }, ...(password !== undefined ? { password } : {}) });
    });
    this.#joins.delete(rid);
    if (!answer) throw new ParleyError('FEDERATION_UNREACHABLE', `${peer.name} did not answer the join`);
    if (answer.t === 'refused') throw new ParleyError(knownCode(answer.code), `${peer.name}: ${answer.message}`);
    const display = `${answer.room}@${peer.name}`;
    let room = this.server.rooms.find(display);
    if (!room) {
      room = await this.server.rooms.create(display, { topic: answer.topic, createdBy: 'federation' }).catch(() => this.server.rooms.require(display));
    }
    if (!this.#rooms.has(room.key)) {
      const record: MirroredRoomRecord = { conv: room.key, home: peer.id, room: answer.room, start: answer.after };
      await this.parts.store.saveMirroredRoom(record);
      this.#rooms.set(room.key, record);
      link.send({ t: 'follow', room: answer.room, after: answer.after });
    }
    if (answer.topic !== room.topic) await this.server.rooms.setTopic(room, answer.topic);
    return room;
  }

  answered(frame: FrameOf<'joined'> | FrameOf<'refused'>): void {
    this.#joins.get(frame.rid)?.resolve(frame);
  }

  /** Tells the home a local user left one of its rooms (best effort: a home that is down hears nothing). */
  parted(room: Room, user: { id: string; name: string }): void {
    const mirror = this.#rooms.get(room.key);
    if (mirror) this.parts.links().get(mirror.home)?.send({ t: 'part', room: mirror.room, user });
  }

  /**
   * A local user's message to a mirrored room: signed, kept in the outbox, sent to the home;
   * answered once the home's event for it is stored here, or as pending after send_wait_ms.
   */
  async send(actor: Actor, room: Room, content: { text: string; cmid?: string | undefined; kind?: MessageKind | undefined }): Promise<{ message: StoredMessage | undefined; pending: boolean }> {
    const mirror = this.#rooms.get(room.key)!;
    const { store, identity } = this.parts;
    const sub = await store.nextSub();
    const s = signSubmission(identity, {
      sub,
      home: mirror.home,
      room: mirror.room,
      sender: actor.user.id,
      name: actor.user.name,
      ...(content.cmid !== undefined ? { cmid: content.cmid } : {}),
      ...(content.kind !== undefined ? { kind: content.kind } : {}),
      text: content.text,
      ts: Date.now(),
    });
    await store.addOutbox({ sub, conv: room.key, submission: JSON.stringify(s), createdAt: s.ts });
    const link = this.parts.links().get(mirror.home);
    if (!link) return { message: undefined, pending: true };
    const outcome = await new Promise<StoredMessage | ParleyError | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(sub);
        resolve(undefined);
      }, this.server.config.federation.send_wait_ms);
      this.#waiters.set(sub, { conv: room.key, session: actor.session, resolve: (m) => (clearTimeout(timer), this.#waiters.delete(sub), resolve(m)) });
      link.send({ t: 'submit', s });
    });
    if (outcome instanceof ParleyError) throw outcome;
    return { message: outcome, pending: outcome === undefined };
  }

  /** The home sequenced (or refused) one of this server's submissions. */
  async acknowledged(frame: FrameOf<'accepted'> | FrameOf<'rejected'>): Promise<void> {
    if (frame.origin !== this.parts.identity.id) return;
    await this.parts.store.removeOutbox(frame.sub);
    const waiter = this.#waiters.get(frame.sub);
    if (!waiter) return;
    if (frame.t === 'rejected') {
      this.server.log.info({ sub: frame.sub, code: frame.code }, 'federation: the home refused a submission');
      return waiter.resolve(new ParleyError(knownCode(frame.code), `${frame.message} (the room's home refused it)`));
    }
    waiter.seq = frame.seq;
    const [stored] = await this.server.store.history(waiter.conv, { after: frame.seq - 1, limit: 1 });
    if (stored?.seq === frame.seq) waiter.resolve(stored);
  }

  /**
   * Events from a home, in order. Each is verified (origin's and home's signatures, the home is
   * the link's server and the room's home) and stored at its seq; a gap asks the home again from
   * the last stored event; an event that conflicts with a stored one is proof the home signed
   * two different events for one seq: it is denied and unlinked.
   */
  async events(link: Link, list: readonly Envelope[]): Promise<void> {
    const { store, identity, peers } = this.parts;
    const home = link.peer!;
    for (const envelope of list) {
      const { s, e } = envelope;
      const mirror = [...this.#rooms.values()].find((r) => r.home === e.home && r.room === e.room);
      const fault = e.home !== home.id ? 'events come from their home' : !mirror ? 'no such mirrored room here' : envelopeFault(envelope);
      if (fault || !mirror) {
        this.server.log.warn({ peer: home.name, room: e.room, seq: e.seq, fault }, 'federation: event dropped');
        continue;
      }
      if (peers.isDenied(s.origin)) continue;
      const own = s.origin === identity.id;
      const originName = own ? undefined : s.origin === home.id ? home.name : (peers.byId(s.origin)?.name ?? s.origin);
      const message: NewMessage = {
        conv: mirror.conv,
        senderId: own ? s.sender : remoteUserId(s.sender, s.origin),
        senderName: own ? s.name : `${s.name}@${originName}`,
        target: `${e.room}@${home.name}`,
        text: s.text,
        createdAt: s.ts,
      };
      if (s.cmid !== undefined) message.cmid = s.cmid;
      if (s.kind !== undefined) message.kind = s.kind;
      const result = await store.appendReplica({ conv: mirror.conv, seq: e.seq, origin: s.origin, sub: s.sub, hash: eventHash(e), envelope: JSON.stringify(envelope) }, message);
      if (result.kind === 'gap') {
        link.send({ t: 'follow', room: mirror.room, after: result.last });
        return;
      }
      if (result.kind === 'conflict') {
        this.server.log.error({ home: home.id, room: e.room, seq: e.seq, stored: result.stored, got: eventHash(e) }, 'federation: the home signed two events for one seq; it is denied');
        await peers.deny(home.id, true);
        link.close(new ParleyError('FEDERATION_PEER_REFUSED', `two events for ${e.room} seq ${e.seq}: equivocation`));
        return;
      }
      if (result.kind === 'duplicate') continue;
      const waiter = own ? this.#waiters.get(s.sub) : undefined;
      if (own) await store.removeOutbox(s.sub);
      this.server.delivery.committed(result.message, waiter ? { origin: waiter.session } : {});
      waiter?.resolve(result.message);
      for (const w of this.#waiters.values()) if (w.conv === mirror.conv && w.seq === e.seq) w.resolve(result.message);
    }
  }
}

/** A refusal's code as the home gave it, when it is one this server knows too. */
function knownCode(code: string): ConstructorParameters<typeof ParleyError>[0] {
  const known = ['NO_SUCH_ROOM', 'BANNED_FROM_ROOM', 'INVITE_ONLY', 'ROOM_PASSWORD', 'FORBIDDEN', 'NOT_IN_ROOM', 'MUTED'] as const;
  return (known as readonly string[]).includes(code) ? (code as (typeof known)[number]) : 'FORBIDDEN';
}
