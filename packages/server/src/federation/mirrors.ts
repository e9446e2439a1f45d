import { nameKey, ParleyError, splitServer, type MessageKind } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Room } from '../chat/room.ts';
import { deleteMirroredRoom, partRoom } from '../chat/membership.ts';
import type { FederatedEventRecord, MirroredRoomRecord, NewMessage, StoredMessage } from '../store/store.ts';
import { envelopeFault, eventHash, signMembership, type Envelope } from './envelope.ts';
import { convOf, remoteUserId, type FederationParts } from './home-rooms.ts';
import { markEncrypted } from './mirrored-modes.ts';
import { MirrorMembers } from './mirror-members.ts';
import { blankRedacted } from '../chat/message-changes.ts';
import { offlineAccountOf } from './direct-ids.ts';
import { dmParticipants } from '../chat/conversation-delivery.ts';
import type { FrameOf } from './link-frames.ts';
import type { Link } from './link.ts';
import { knownCode, Outbox } from './outbox.ts';

const JOIN_TIMEOUT_MS = 10_000;

/**
 * Rooms homed on other servers, mirrored here: the home's events, verified, are stored and
 * appended to this server's message log at the home's own seqs (store appendReplica), so local
 * members read them, resume and page history as in a local room. A mirror follows its room
 * from the neighbor on the shortest route to the home (the home itself when linked), and serves
 * its own followers in turn: a relay between two servers is a mirror without local members.
 */
export class Mirrors {
  readonly #rooms = new Map<string, MirroredRoomRecord>();
  /** "<home> <room key>" -> conv. */
  readonly #byHome = new Map<string, string>();
  /** conv -> the neighbor it follows the room from now. */
  readonly #upstream = new Map<string, Link>();
  readonly #joins = new Map<number, (frame: FrameOf<'joined'> | FrameOf<'refused'>) => void>();
  readonly outbox: Outbox;

  constructor(
    private readonly server: ServerContext,
    private readonly parts: FederationParts & { linkTo: (server: string) => Link | undefined },
  ) {
    this.outbox = new Outbox(server, parts);
  }

  async load(): Promise<void> {
    for (const room of await this.parts.store.mirroredRooms()) this.#index(room);
  }

  #index(room: MirroredRoomRecord): void {
    this.#rooms.set(room.conv, room);
    this.#byHome.set(`${room.home} ${convOf(room.room)}`, room.conv);
  }

  isMirror(conv: string): boolean {
    return this.#rooms.has(conv);
  }

  /** A mirrored conversation's home and its name there. */
  mirrorOf(conv: string): MirroredRoomRecord | undefined {
    return this.#rooms.get(conv);
  }

  /** The conversation here that mirrors `room` (its name or id at its home `home`). */
  convAt(home: string, room: string): string | undefined {
    return this.#byHome.get(`${home} ${convOf(room)}`);
  }

  /** Routes changed: follow each room from the neighbor now nearest its home; resend what waits. */
  async rerouted(): Promise<void> {
    const { store } = this.parts;
    for (const room of this.#rooms.values()) {
      const next = this.parts.linkTo(room.home);
      const current = this.#upstream.get(room.conv);
      if (next === current && (!current || !current.closed)) continue;
      if (current && !current.closed) current.send({ t: 'unfollow', home: room.home, room: room.room });
      if (!next) {
        this.#upstream.delete(room.conv);
        continue;
      }
      this.#upstream.set(room.conv, next);
      next.send({ t: 'follow', home: room.home, room: room.room, after: Math.max(room.start, await store.lastEventSeq(room.conv)) });
    }
    await this.outbox.resend();
  }

  /** JOIN #dev@b.example: the home says yes (or why not), then the room is mirrored here. */
  async join(actor: Actor, name: string, password: string | undefined): Promise<Room> {
    const { local, server } = splitServer(name);
    const peer = this.parts.peers.byName(server ?? '');
    if (!peer) throw new ParleyError('NO_SUCH_SERVER', `No server named ${server} is known here`);
    const rid = this.parts.rid();
    const statement = signMembership(this.parts.identity, 'join', { home: peer.id, room: local, user: { id: actor.user.id, name: actor.user.name }, ts: Date.now() });
    const answer = await new Promise<FrameOf<'joined'> | FrameOf<'refused'> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), JOIN_TIMEOUT_MS);
      this.#joins.set(rid, (frame) => (clearTimeout(timer), resolve(frame)));
      if (!this.parts.route(peer.id, { t: 'join', rid, ...statement, ...(password !== undefined ? { password } : {}), hops: 0 })) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
    this.#joins.delete(rid);
    if (!answer) throw new ParleyError('FEDERATION_UNREACHABLE', `${peer.name} cannot be reached right now`);
    if (answer.t === 'refused') throw new ParleyError(knownCode(answer.code), `${peer.name}: ${answer.message}`);
    const room = await this.#mirror(peer.id, answer.room, { start: answer.after, topic: answer.topic });
    this.#members.track(room.key, { what: 'members', members: answer.members });
    if (answer.encrypted) await markEncrypted(this.server, room, undefined);
    return room;
  }

  /** Mirrors a room of `home` here (a member joined, or a neighbor follows it through this server). */
  async #mirror(home: string, roomName: string, at: { start: number; topic: string }): Promise<Room> {
    const display = `${roomName}@${this.parts.nameOf(home)}`;
    let room = this.server.rooms.find(display);
    if (!room) room = await this.server.rooms.create(display, { topic: at.topic, createdBy: 'federation' }).catch(() => this.server.rooms.require(display));
    if (!this.#rooms.has(room.key)) {
      const record: MirroredRoomRecord = { conv: room.key, home, room: roomName, start: at.start };
      await this.parts.store.saveMirroredRoom(record);
      this.#index(record);
      await this.rerouted();
    }
    return room;
  }

  /** A direct conversation a user of another server started with one of ours: mirrored, without a room. */
  async mirrorDirect(record: Omit<MirroredRoomRecord, 'start'>): Promise<void> {
    if (this.#rooms.has(record.conv)) return;
    const full = { ...record, start: 0 };
    await this.parts.store.saveMirroredRoom(full);
    this.#index(full);
    await this.rerouted();
  }

  answered(frame: FrameOf<'joined'> | FrameOf<'refused'>): void {
    this.#joins.get(frame.rid)?.(frame);
  }

  /** Tells the home a local user left one of its rooms (a home that cannot be reached hears nothing). */
  parted(room: Room, user: { id: string; name: string }): void {
    const mirror = this.#rooms.get(room.key);
    if (!mirror) return;
    const statement = signMembership(this.parts.identity, 'part', { home: mirror.home, room: mirror.room, user, ts: Date.now() });
    this.parts.route(mirror.home, { t: 'part', ...statement, hops: 0 });
  }

  /** A neighbor follows a room homed elsewhere through this server: serve it from the mirror (made now if need be). */
  async follow(link: Link, frame: FrameOf<'follow'>): Promise<void> {
    let conv = this.#byHome.get(`${frame.home} ${convOf(frame.room)}`);
    if (!conv) {
      // A relay mirrors rooms on demand; a direct conversation only its two servers hold.
      if (frame.room.startsWith('dm:') || (!this.parts.peers.byId(frame.home) && !this.parts.linkTo(frame.home))) return;
      conv = (await this.#mirror(frame.home, frame.room, { start: frame.after, topic: '' })).key;
    }
    this.parts.streams.follow(link, conv, frame.after);
  }

  unfollow(link: Link, frame: FrameOf<'unfollow'>): void {
    const conv = this.#byHome.get(`${frame.home} ${convOf(frame.room)}`);
    if (conv) this.parts.streams.unfollow(link, conv);
  }

  /** A local user's message to a mirrored room (see Outbox.send). */
  send(actor: Actor, conv: string, content: { text: string; cmid?: string | undefined; kind?: MessageKind | undefined; ref?: number | undefined }): Promise<{ message: StoredMessage | undefined; pending: boolean }> {
    const mirror = this.#rooms.get(conv)!;
    return this.outbox.send(actor, { conv, home: mirror.home, room: mirror.room }, content);
  }

  /**
   * Events from a neighbor, in order. Each is verified (the origin's and the home's signatures,
   * and the event orders that very submission) and stored at its seq; a gap asks again from the
   * last stored event; an event that conflicts with a stored one is proof the home signed two
   * events for one seq: the home is denied and its link, if any, closed.
   */
  async events(link: Link, list: readonly Envelope[]): Promise<void> {
    const { store, identity, peers } = this.parts;
    const items: { event: FederatedEventRecord; message: NewMessage; mirror: MirroredRoomRecord; own: boolean; envelope: Envelope }[] = [];
    for (const envelope of list) {
      const { s, e } = envelope;
      const conv = this.#byHome.get(`${e.home} ${convOf(e.room)}`);
      const mirror = conv === undefined ? undefined : this.#rooms.get(conv);
      const fault = !mirror ? 'no such mirrored room here' : envelopeFault(envelope);
      if (fault || !mirror) {
        this.server.log.warn({ from: link.peer?.name, home: e.home, room: e.room, seq: e.seq, fault }, 'federation: event dropped');
        continue;
      }
      if (peers.isDenied(s.origin) || peers.isDenied(e.home)) continue;
      const own = s.origin === identity.id;
      const message: NewMessage = {
        conv: mirror.conv,
        senderId: own ? s.sender : remoteUserId(s.sender, s.origin),
        senderName: own ? s.name : `${s.name}@${this.parts.nameOf(s.origin)}`,
        target: e.room.startsWith('dm:') ? this.#directTarget(mirror.conv, own) : `${e.room}@${this.parts.nameOf(e.home)}`,
        text: s.text,
        createdAt: s.ts,
      };
      const offline = e.room.startsWith('dm:') && !own ? offlineAccountOf(this.server, mirror.conv, message.senderId) : undefined;
      if (offline !== undefined) message.pendingFor = [offline];
      if (s.cmid !== undefined) message.cmid = s.cmid;
      if (s.kind !== undefined) message.kind = s.kind;
      if (s.ref !== undefined) message.ref = s.ref;
      items.push({ event: { conv: mirror.conv, seq: e.seq, origin: s.origin, sub: s.sub, hash: eventHash(e), envelope: JSON.stringify(envelope) }, message, mirror, own, envelope });
    }
    if (items.length === 0) return;
    // One transaction for the frame: events of a busy room come 256 to a frame.
    const results = await store.appendReplicas(items);
    const touched = new Set<string>();
    try {
      for (const [i, result] of results.entries()) {
        const { mirror, own, envelope, event } = items[i]!;
        if (result.kind === 'gap') {
          if (this.#upstream.get(mirror.conv) === link) link.send({ t: 'follow', home: mirror.home, room: mirror.room, after: result.last });
          return;
        }
        if (result.kind === 'conflict') {
          const { e } = envelope;
          this.server.log.error({ home: e.home, room: e.room, seq: e.seq, stored: result.stored, got: event.hash }, 'federation: the home signed two events for one seq (equivocation); it is denied');
          await peers.deny(e.home, true);
          this.parts.linkTo(e.home)?.close(new ParleyError('FEDERATION_PEER_REFUSED', `two events for ${e.room} seq ${e.seq}: equivocation`));
          return;
        }
        if (result.kind === 'duplicate') continue;
        touched.add(mirror.conv);
        this.outbox.committed(result.message, own ? envelope.s.sub : undefined);
        if (result.message.kind === 'redact' && result.message.ref !== undefined) await this.#redacted(mirror.conv, result.message.ref);
      }
    } finally {
      for (const conv of touched) this.parts.streams.pumpAll(conv);
    }
  }

  /** The home redacted a message: its text goes from this server's store too. */
  async #redacted(conv: string, seq: number): Promise<void> {
    const [original] = await this.server.store.history(conv, { after: seq - 1, limit: 1 });
    if (original?.seq === seq) await blankRedacted(this.server, original);
  }

  async #forgetMember(conv: string, name: string): Promise<void> {
    const account = await this.server.store.findAccount(nameKey(name));
    if (account) await this.server.store.removeMember(conv, account.id);
  }

  /** What a direct message is `to` here: the local person when the other sent it, else the other (name@server). */
  #directTarget(conv: string, own: boolean): string {
    const ids = dmParticipants(conv);
    const local = ids.find((id) => !id.includes('@')) ?? '';
    const remote = ids.find((id) => id.includes('@')) ?? '';
    if (!own) return this.server.users.get(local)?.name ?? this.#names.get(local) ?? local;
    return this.#names.get(remote) ?? remote;
  }

  readonly #members = new MirrorMembers(() => this.server.config.server_name.toLowerCase());

  /** Members of a mirrored room that are not this server's users (absolute names). */
  membersOf(conv: string): string[] {
    return this.#members.of(conv);
  }


  /** The room is gone at its home: gone here too, its members told who deleted it. */
  async #deleted(room: Room, by: string): Promise<void> {
    this.#members.forget(room.key);
    await deleteMirroredRoom(this.server, room, by);
  }

  /** user id -> name, for direct conversations' `to` (remote members and local accounts seen). */
  readonly #names = new Map<string, string>();

  nameUser(id: string, name: string): void {
    this.#names.set(id, name);
  }

  nameOfUser(id: string): string | undefined {
    return this.#names.get(id);
  }

  /** A room event from upstream: to the local members (names as this server shows them) and on down. */
  roomEvent(link: Link, frame: FrameOf<'room'>): void {
    const conv = this.#byHome.get(`${frame.home} ${convOf(frame.room)}`);
    const room = conv === undefined ? undefined : this.server.rooms.byKey(conv);
    if (!room || !conv || this.#upstream.get(conv) !== link) return;
    this.parts.streams.broadcast(conv, frame, link);
    if (frame.what === 'members' || frame.what === 'join' || frame.what === 'part') this.#members.track(conv, frame);
    if (frame.what === 'encrypted' || frame.encrypted) {
      const by = frame.what === 'encrypted' ? (frame.user ?? this.parts.nameOf(frame.home)) : undefined;
      return void markEncrypted(this.server, room, by).catch((err: unknown) => this.server.log.warn({ err }, 'federation: marking a mirrored room encrypted failed'));
    }
    if (frame.what === 'members') return;
    if (frame.what === 'deleted') {
      void this.#deleted(room, frame.user ?? this.parts.nameOf(frame.home));
      return;
    }
    if (frame.what === 'topic') {
      if (frame.topic === undefined) return;
      const topic = frame.topic;
      const by = frame.user ?? this.parts.nameOf(frame.home);
      void this.server.rooms.setTopic(room, topic).then(() => this.server.router.localRoom(room, new OutboundEvent({ ev: 'topic', room: room.name, topic, by })));
      return;
    }
    // This server's own users' joins and parts were announced here when they happened, except
    // a removal by the home's moderators: the user leaves the mirror here too, and is told why.
    const own = frame.user?.endsWith(`@${this.server.config.server_name.toLowerCase()}`) ?? true;
    if (own && frame.what === 'part' && frame.kind && frame.user) {
      const user = this.server.users.findByName(splitServer(frame.user).local);
      const removal = { kind: frame.kind, by: frame.by ?? this.parts.nameOf(frame.home), reason: frame.reason };
      const fail = (err: unknown) => this.server.log.warn({ err }, 'federation: leaving a mirrored room failed');
      if (user?.rooms.has(room.key)) void partRoom(this.server, { user, room, removal }).catch(fail);
      // An account offline here: its stored membership goes, or its next login would put it back.
      else if (!user) void this.#forgetMember(room.key, splitServer(frame.user).local).catch(fail);
      return;
    }
    if (frame.user && !own) this.server.router.localRoom(room, new OutboundEvent({ ev: frame.what, room: room.name, user: frame.user }));
  }

}
