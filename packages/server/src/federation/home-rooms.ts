import { foldName, nameKey, ParleyError } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Room } from '../chat/room.ts';
import { verifyPassword } from '../identity/passwords.ts';
import type { AppendResult, FederationStore, NewMessage, RemoteMemberRecord, Sealer } from '../store/store.ts';
import { eventHash, sealSubmission, signSubmission, submissionFault, type Envelope, type Submission } from './envelope.ts';
import type { FrameOf } from './link-frames.ts';
import type { Link } from './link.ts';
import type { PeerDirectory } from './peer-directory.ts';
import type { ServerIdentity } from './server-identity.ts';

/** Events sent to a follower per frame, and the bytes a link may hold unsent before the pump waits. */
const EVENTS_PER_FRAME = 256;
const MAX_LINK_BACKLOG = 4 * 1024 * 1024;

/** A remote user's id here: its id at its own server, then that server's id. */
export function remoteUserId(localId: string, server: string): string {
  return `${localId}@${server}`;
}

/**
 * The rooms homed here that other servers follow. The home is the one that orders such a room:
 * every message to it (from its own users or submitted by another server) is appended and sealed
 * here, in one transaction (store appendSealed), and each follower is sent the stored events above
 * the position it asked from, read back from the store: a follower's queue is the room's log, not
 * a copy of it, so a follower that was away catches up from wherever it stopped.
 */
export class HomeRooms {
  /** conv -> servers that follow it. */
  readonly #followers = new Map<string, Set<string>>();
  readonly #members = new Map<string, Map<string, RemoteMemberRecord>>();
  /** Per link: conv -> the last seq sent to it; a pump per (link, conv) at a time. */
  readonly #sent = new WeakMap<Link, Map<string, number>>();
  readonly #pumping = new WeakMap<Link, Set<string>>();

  constructor(
    private readonly server: ServerContext,
    private readonly parts: { store: FederationStore; identity: ServerIdentity; peers: PeerDirectory; links: () => Map<string, Link> },
  ) {}

  async load(): Promise<void> {
    for (const [conv, servers] of await this.parts.store.followers()) this.#followers.set(conv, new Set(servers));
    for (const member of await this.parts.store.remoteMembers()) this.#membersOf(member.conv).set(member.userId, member);
  }

  /** Whether messages to this room go through appendSealed (another server follows it). */
  isSealed(conv: string): boolean {
    return this.#followers.has(conv);
  }

  /** Remote members' names as this server shows them ("alice@a.example"). */
  memberNames(conv: string): string[] {
    return [...(this.#members.get(conv)?.values() ?? [])].map((m) => m.name);
  }

  #membersOf(conv: string): Map<string, RemoteMemberRecord> {
    let members = this.#members.get(conv);
    if (!members) this.#members.set(conv, (members = new Map()));
    return members;
  }

  /** Appends and seals messages to a followed room (local sends go here instead of the message writer). */
  async append(conv: string, batch: readonly NewMessage[], submissions: readonly (Submission | undefined)[] = []): Promise<AppendResult[]> {
    const room = this.server.rooms.byKey(conv);
    const roomName = room?.name ?? conv;
    const { identity } = this.parts;
    const seal: Sealer = (message, { prev, index, nextSub }) => {
      const submission =
        (index === undefined ? undefined : submissions[index]) ??
        signSubmission(identity, {
          sub: nextSub(),
          home: identity.id,
          room: roomName,
          sender: message.senderId,
          name: message.senderName,
          ...(message.cmid !== undefined ? { cmid: message.cmid } : {}),
          ...(message.kind !== undefined ? { kind: message.kind } : {}),
          text: message.text,
          ts: message.createdAt,
        });
      const envelope: Envelope = sealSubmission(identity, submission, { seq: message.seq, prev });
      return { origin: submission.origin, sub: submission.sub, hash: eventHash(envelope.e), envelope: JSON.stringify(envelope) };
    };
    const results = await this.parts.store.appendSealed(conv, batch, seal);
    this.pumpAll(conv);
    return results;
  }

  /** A user of the linked server asks to join a room homed here. */
  async join(link: Link, frame: FrameOf<'join'>): Promise<void> {
    const peer = link.peer!;
    const refuse = (error: ParleyError) => link.send({ t: 'refused', rid: frame.rid, code: error.errorName, message: error.message });
    const room = this.server.rooms.find(frame.room);
    if (!room || room.name.includes('@')) return refuse(new ParleyError('NO_SUCH_ROOM', `No room ${frame.room} on this server`));
    const error = await this.#joinRefusal(room, frame, peer.name);
    if (error) return refuse(error);
    const member: RemoteMemberRecord = { conv: room.key, userId: remoteUserId(frame.user.id, peer.id), name: `${frame.user.name}@${peer.name}`, server: peer.id };
    const { store } = this.parts;
    const fresh = !this.#members.get(room.key)?.has(member.userId);
    await store.setRemoteMember(member, true);
    await store.setFollower(room.key, peer.id, true);
    await store.startSealing(room.key);
    this.#membersOf(room.key).set(member.userId, member);
    const followers = this.#followers.get(room.key) ?? new Set<string>();
    followers.add(peer.id);
    this.#followers.set(room.key, followers);
    // Seals whatever the message writer committed since sealing began, so `after` has events above it.
    await this.append(room.key, []);
    const after = await this.server.store.lastSeq(room.key);
    const members = [...room.members.values()].map((u) => u.name).concat(this.memberNames(room.key));
    link.send({ t: 'joined', rid: frame.rid, room: room.name, topic: room.topic, after, members });
    if (fresh) this.announce(room, { what: 'join', user: member.name }, peer.id);
  }

  async #joinRefusal(room: Room, frame: FrameOf<'join'>, server: string): Promise<ParleyError | undefined> {
    const name = `${frame.user.name}@${server}`;
    const ban = this.server.moderation.bans.match(room.key, { ip: '', account: nameKey(name) });
    if (ban) return new ParleyError('BANNED_FROM_ROOM', `You are banned from ${room.name}${ban.reason ? `: ${ban.reason}` : ''}`);
    if (room.modes.encrypted) return new ParleyError('FORBIDDEN', `${room.name} is end-to-end encrypted: encrypted rooms do not span servers yet`);
    if (room.modes.inviteOnly) return new ParleyError('INVITE_ONLY', `${room.name} is invite-only`);
    if (room.modes.passwordHash !== '' && (frame.password === undefined || !(await verifyPassword(room.modes.passwordHash, frame.password)))) {
      return new ParleyError('ROOM_PASSWORD', `${room.name} needs its password`);
    }
    return undefined;
  }

  async part(link: Link, frame: FrameOf<'part'>): Promise<void> {
    const peer = link.peer!;
    const room = this.server.rooms.find(frame.room);
    const members = room && this.#members.get(room.key);
    const member = members?.get(remoteUserId(frame.user.id, peer.id));
    if (!room || !members || !member) return;
    await this.parts.store.setRemoteMember(member, false);
    members.delete(member.userId);
    this.announce(room, { what: 'part', user: member.name }, undefined);
  }

  /** A join, part or topic: to the room's local members and to every follower but `except`. */
  announce(room: Room, what: { what: 'join' | 'part' | 'topic'; user?: string; topic?: string }, except: string | undefined): void {
    if (what.what !== 'topic') this.server.router.localRoom(room, new OutboundEvent({ ev: what.what, room: room.name, user: what.user ?? '' }));
    for (const id of this.#followers.get(room.key) ?? []) {
      if (id !== except) this.parts.links().get(id)?.send({ t: 'room', room: room.name, ...what });
    }
  }

  /** A message from a user of the linked server: sequenced here, answered with its seq. */
  async submit(link: Link, s: Submission): Promise<void> {
    const peer = link.peer!;
    const reject = (code: string, message: string) => link.send({ t: 'rejected', origin: s.origin, sub: s.sub, code, message });
    // Relaying for other servers comes with multi-hop routing; a peer submits its own users' messages.
    if (s.origin !== peer.id) return reject('FEDERATION_BAD_SIGNATURE', 'a submission comes from its origin server');
    const fault = submissionFault(s);
    if (fault) {
      this.server.log.warn({ peer: peer.name, sub: s.sub, fault }, 'federation: forged submission dropped');
      return reject('FEDERATION_BAD_SIGNATURE', fault);
    }
    const room = s.home === this.parts.identity.id ? this.server.rooms.find(s.room) : undefined;
    if (!room) return reject('NO_SUCH_ROOM', `No room ${s.room} homed here`);
    const known = await this.parts.store.eventOfSubmission(s.origin, s.sub);
    if (known) return link.send({ t: 'accepted', origin: s.origin, sub: s.sub, room: room.name, seq: known.seq });
    const senderId = remoteUserId(s.sender, peer.id);
    const member = this.#members.get(room.key)?.get(senderId);
    if (!member) return reject('NOT_IN_ROOM', `Join ${room.name} first`);
    if (room.modes.moderated) return reject('MUTED', `${room.name} is moderated: only its moderators speak`);
    const message: NewMessage = { conv: room.key, senderId, senderName: member.name, target: room.name, text: s.text, createdAt: s.ts };
    if (s.cmid !== undefined) message.cmid = s.cmid;
    if (s.kind !== undefined) message.kind = s.kind;
    const [result] = await this.append(room.key, [message], [s]);
    if (!result) return;
    link.send({ t: 'accepted', origin: s.origin, sub: s.sub, room: room.name, seq: result.message.seq });
    if (!result.duplicate) this.server.delivery.committed(result.message);
    this.server.metrics.messages.inc();
  }

  /** The linked server wants a room's events above `after`. */
  follow(link: Link, frame: FrameOf<'follow'>): void {
    const conv = foldName(frame.room);
    if (!this.#followers.get(conv)?.has(link.peer!.id)) return;
    let sent = this.#sent.get(link);
    if (!sent) this.#sent.set(link, (sent = new Map()));
    sent.set(conv, frame.after);
    void this.#pump(link, conv);
  }

  pumpAll(conv: string): void {
    for (const id of this.#followers.get(conv) ?? []) {
      const link = this.parts.links().get(id);
      if (link && this.#sent.get(link)?.has(conv)) void this.#pump(link, conv);
    }
  }

  async #pump(link: Link, conv: string): Promise<void> {
    let pumping = this.#pumping.get(link);
    if (!pumping) this.#pumping.set(link, (pumping = new Set()));
    if (pumping.has(conv)) {
      pumping.add(`${conv}\n`); // run again when the current pump ends
      return;
    }
    pumping.add(conv);
    try {
      for (;;) {
        const sent = this.#sent.get(link)!;
        const after = sent.get(conv) ?? 0;
        const events = await this.parts.store.eventsAfter(conv, after, EVENTS_PER_FRAME);
        if (link.closed) return;
        if (events.length === 0) {
          if (!pumping.delete(`${conv}\n`)) return;
          continue;
        }
        link.send({ t: 'events', list: events.map((e) => JSON.parse(e.envelope) as Envelope) });
        sent.set(conv, events.at(-1)!.seq);
        if (link.backlog > MAX_LINK_BACKLOG) await link.whenDrained();
      }
    } catch (err) {
      this.server.log.warn({ err, conv }, 'federation: sending events to a follower failed; it gets them when it follows again');
    } finally {
      pumping.delete(conv);
    }
  }
}
