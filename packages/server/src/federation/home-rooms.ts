import { foldName, ParleyError, splitServer } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Room } from '../chat/room.ts';
import { verifyPassword } from '../identity/passwords.ts';
import type { Removal } from '../chat/membership.ts';
import { remoteAccountKey } from '../moderation/ban-target.ts';
import type { AppendResult, FederationStore, NewMessage, RemoteMemberRecord, Sealer } from '../store/store.ts';
import { eventHash, membershipVerifies, sealSubmission, signSubmission, submissionFault, type Envelope, type Submission } from './envelope.ts';
import type { EventStreams } from './event-streams.ts';
import { SealedWriter } from './sealed-writer.ts';
import { changeRefusal, encryptedRefusal } from './submission-checks.ts';
import { offlineAccountOf, otherParticipant } from './direct-ids.ts';
import type { FrameOf, LinkFrame } from './link-frames.ts';
import type { Link } from './link.ts';
import type { PeerDirectory } from './peer-directory.ts';
import type { ServerIdentity } from './server-identity.ts';

/** A join or part older than this is refused: a statement replayed later cannot re-add someone who left. */
const MEMBERSHIP_MAX_AGE_MS = 10 * 60_000;

/** The conversation key a room name or a direct conversation id at its home stands for. */
export function convOf(room: string): string {
  return room.startsWith('dm:') ? room : foldName(room);
}

const presignedKey = (conv: string, sender: string, cmid: string) => `${conv}\n${sender}\n${cmid}`;

/** A remote user's id here: its id at its own server, then that server's id. */
export function remoteUserId(localId: string, server: string): string {
  return `${localId}@${server}`;
}

export interface FederationParts {
  store: FederationStore;
  identity: ServerIdentity;
  peers: PeerDirectory;
  streams: EventStreams;
  /** Sends toward a server, through the neighbor with the shortest route; false when there is none. */
  route: (server: string, frame: LinkFrame) => boolean;
  nameOf: (server: string) => string;
  /** A request id unique on this server (joins and direct-conversation opens share it). */
  rid: () => number;
}

/**
 * The rooms homed here that users of other servers are in. The home orders such a room: every
 * message to it, from its own users or submitted through the links, is appended and sealed here
 * in one transaction (store appendSealed), and neighbors that follow it are sent the stored
 * events (event-streams.ts). Joins and parts arrive signed by the user's own server.
 */
export class HomeRooms {
  /** Rooms that ever had remote members: their messages are sealed from then on. */
  readonly #sealed = new Set<string>();
  readonly #members = new Map<string, Map<string, RemoteMemberRecord>>();
  /** The newest membership statement taken per user, by its time. */
  readonly #statementAt = new Map<string, number>();
  readonly #waitingFollows = new Map<string, { link: Link; after: number }>();
  readonly #presigned = new Map<string, Submission>();
  /** Messages to sealed rooms, a transaction per room per event-loop turn. */
  readonly writer = new SealedWriter((conv, batch, submissions) => this.append(conv, batch, submissions));

  constructor(
    private readonly server: ServerContext,
    private readonly parts: FederationParts,
  ) {}

  async load(): Promise<void> {
    for (const conv of (await this.parts.store.followers()).keys()) this.#sealed.add(conv);
    for (const member of await this.parts.store.remoteMembers()) this.#membersOf(member.conv).set(member.userId, member);
  }

  isSealed(conv: string): boolean {
    return this.#sealed.has(conv);
  }

  /** Remote members' names, absolute ("alice@a.example"). */
  memberNames(conv: string): string[] {
    return [...(this.#members.get(conv)?.values() ?? [])].map((m) => m.name);
  }

  /** The member of another server in a conversation homed here, by its id here (`<id>@<server id>`). */
  remoteMember(conv: string, userId: string): RemoteMemberRecord | undefined {
    return this.#members.get(conv)?.get(userId);
  }

  remoteMembersOf(conv: string): RemoteMemberRecord[] {
    return [...(this.#members.get(conv)?.values() ?? [])];
  }

  /**
   * A message of another server's user that reaches the store by another path than `append` (an
   * end-to-end commit, stored with its group's new epoch): sealed with its origin's submission
   * when it is, never with one this server would sign for someone not its own. Keyed by the
   * message's conversation, sender and cmid; the caller removes it once the message is sealed.
   */
  presign(message: NewMessage, submission: Submission): () => void {
    const key = presignedKey(message.conv, message.senderId, message.cmid ?? '');
    this.#presigned.set(key, submission);
    return () => this.#presigned.delete(key);
  }

  #membersOf(conv: string): Map<string, RemoteMemberRecord> {
    let members = this.#members.get(conv);
    if (!members) this.#members.set(conv, (members = new Map()));
    return members;
  }

  /** Appends and seals messages to a room homed here that remote users are in (local sends go here instead of the message writer). */
  async append(conv: string, batch: readonly NewMessage[], submissions: readonly (Submission | undefined)[] = []): Promise<AppendResult[]> {
    const roomName = this.server.rooms.byKey(conv)?.name ?? conv;
    const { identity } = this.parts;
    const seal: Sealer = (message, { prev, index, nextSub }) => {
      const submission =
        (index === undefined ? this.#presigned.get(presignedKey(conv, message.senderId, message.cmid ?? '')) : submissions[index]) ??
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
          ...(message.ref !== undefined ? { ref: message.ref } : {}),
        });
      const envelope: Envelope = sealSubmission(identity, submission, { seq: message.seq, prev });
      return { origin: submission.origin, sub: submission.sub, hash: eventHash(envelope.e), envelope: JSON.stringify(envelope) };
    };
    const results = await this.parts.store.appendSealed(conv, batch, seal);
    this.parts.streams.pumpAll(conv);
    return results;
  }

  #statementFault(kind: 'join' | 'part', frame: FrameOf<'join'> | FrameOf<'part'>): string | undefined {
    if (!membershipVerifies(kind, frame)) return `the ${kind} is not signed by the user's server`;
    const key = remoteUserId(frame.user.id, frame.origin);
    if (Math.abs(Date.now() - frame.ts) > MEMBERSHIP_MAX_AGE_MS || frame.ts < (this.#statementAt.get(key) ?? 0)) return `the ${kind} is too old`;
    this.#statementAt.set(key, frame.ts);
    return undefined;
  }

  /** A direct conversation a local user started with a user of another server: homed and sealed here. */
  async homeDirect(member: RemoteMemberRecord): Promise<void> {
    const { store } = this.parts;
    await store.setRemoteMember(member, true);
    await store.setFollower(member.conv, member.server, true);
    await store.startSealing(member.conv);
    this.#membersOf(member.conv).set(member.userId, member);
    this.#sealed.add(member.conv);
    const waiting = this.#waitingFollows.get(member.conv);
    this.#waitingFollows.delete(member.conv);
    if (waiting && !waiting.link.closed) this.parts.streams.follow(waiting.link, member.conv, waiting.after);
  }

  /** A user of another server asks to join a room homed here. */
  async join(frame: FrameOf<'join'>): Promise<void> {
    const answer = (a: Omit<FrameOf<'joined'>, 't' | 'rid' | 'origin' | 'home' | 'hops'> | ParleyError) =>
      this.parts.route(
        frame.origin,
        a instanceof ParleyError
          ? { t: 'refused', rid: frame.rid, origin: frame.origin, code: a.errorName, message: a.message, hops: 0 }
          : { t: 'joined', rid: frame.rid, origin: frame.origin, home: this.parts.identity.id, hops: 0, ...a },
      );
    const fault = this.#statementFault('join', frame);
    if (fault) {
      this.server.log.warn({ origin: frame.origin, fault }, 'federation: join refused');
      return void answer(new ParleyError('FEDERATION_BAD_SIGNATURE', fault));
    }
    const room = this.server.rooms.find(frame.room);
    if (!room || room.name.includes('@')) return void answer(new ParleyError('NO_SUCH_ROOM', `No room ${frame.room} on this server`));
    const originName = this.parts.nameOf(frame.origin);
    const error = await this.#joinRefusal(room, frame, originName);
    if (error) return void answer(error);
    const member: RemoteMemberRecord = { conv: room.key, userId: remoteUserId(frame.user.id, frame.origin), name: `${frame.user.name}@${originName}`, server: frame.origin };
    const { store } = this.parts;
    const fresh = !this.#members.get(room.key)?.has(member.userId);
    await store.setRemoteMember(member, true);
    await store.setFollower(room.key, frame.origin, true);
    await store.startSealing(room.key);
    this.#membersOf(room.key).set(member.userId, member);
    this.#sealed.add(room.key);
    // Seals whatever the message writer committed since sealing began, so `after` has events above it.
    await this.append(room.key, []);
    const after = await this.server.store.lastSeq(room.key);
    answer({ room: room.name, topic: room.topic, after, members: this.#everyone(room), ...(room.modes.encrypted ? { encrypted: true as const } : {}) });
    if (fresh) this.announce(room, { what: 'join', user: member.name });
  }

  async #joinRefusal(room: Room, frame: FrameOf<'join'>, server: string): Promise<ParleyError | undefined> {
    const ban = this.#banOf(room, frame.user.name, server);
    if (ban) return new ParleyError('BANNED_FROM_ROOM', `You are banned from ${room.name}${ban.reason ? `: ${ban.reason}` : ''}`);
    if (room.modes.inviteOnly) return new ParleyError('INVITE_ONLY', `${room.name} is invite-only`);
    if (room.modes.passwordHash !== '' && (frame.password === undefined || !(await verifyPassword(room.modes.passwordHash, frame.password)))) {
      return new ParleyError('ROOM_PASSWORD', `${room.name} needs its password`);
    }
    return undefined;
  }

  #banOf(room: Room, name: string, server: string): ReturnType<ServerContext['moderation']['bans']['match']> {
    try {
      return this.server.moderation.bans.match(room.key, { ip: '', account: remoteAccountKey(name, server) });
    } catch {
      return undefined; // a name no ban could name
    }
  }

  /** Removes a member of another server from a room homed here (a kick, or a ban): everyone hears, its server included. */
  async removeRemote(room: Room, name: string, removal: Removal): Promise<boolean> {
    const members = this.#members.get(room.key);
    const member = [...(members?.values() ?? [])].find((m) => m.name.toLowerCase() === name.toLowerCase());
    if (!members || !member) return false;
    await this.parts.store.setRemoteMember(member, false);
    members.delete(member.userId);
    const detail = { kind: removal.kind, by: removal.by, ...(removal.reason ? { reason: removal.reason } : {}) };
    this.server.router.localRoom(room, new OutboundEvent({ ev: 'part', room: room.name, user: member.name, ...detail }));
    const by = `${removal.by}@${this.server.config.server_name.toLowerCase()}`;
    this.parts.streams.broadcast(room.key, { t: 'room', home: this.parts.identity.id, room: room.name, what: 'part', user: member.name, ...detail, by });
    return true;
  }

  /** After a ban: remote members it names leave the room. */
  async enforceRoomBans(room: Room): Promise<void> {
    for (const member of [...(this.#members.get(room.key)?.values() ?? [])]) {
      const { local, server } = splitServer(member.name);
      const ban = server === undefined ? undefined : this.#banOf(room, local, server);
      if (ban) await this.removeRemote(room, member.name, { kind: 'ban', by: ban.createdBy, reason: ban.reason });
    }
  }

  async part(frame: FrameOf<'part'>): Promise<void> {
    const fault = this.#statementFault('part', frame);
    if (fault) return void this.server.log.warn({ origin: frame.origin, fault }, 'federation: part dropped');
    const room = this.server.rooms.find(frame.room);
    const members = room && this.#members.get(room.key);
    const member = members?.get(remoteUserId(frame.user.id, frame.origin));
    if (!room || !members || !member) return;
    await this.parts.store.setRemoteMember(member, false);
    members.delete(member.userId);
    this.announce(room, { what: 'part', user: member.name });
  }

  /** A join, part or topic: to the room's local members and down to every neighbor that follows it. */
  announce(room: Room, what: { what: 'join' | 'part' | 'topic' | 'encrypted'; user?: string; topic?: string }): void {
    if (what.what === 'join' || what.what === 'part') this.server.router.localRoom(room, new OutboundEvent({ ev: what.what, room: room.name, user: what.user ?? '' }));
    this.parts.streams.broadcast(room.key, { t: 'room', home: this.parts.identity.id, room: room.name, ...what });
  }

  /** A message of a user of another server: sequenced here, answered (toward its origin) with its seq. */
  async submit(s: Submission): Promise<void> {
    const reject = (code: string, message: string) => this.parts.route(s.origin, { t: 'rejected', origin: s.origin, sub: s.sub, code, message, hops: 0 });
    const fault = submissionFault(s);
    if (fault) {
      this.server.log.warn({ origin: s.origin, sub: s.sub, fault }, 'federation: forged submission dropped');
      return void reject('FEDERATION_BAD_SIGNATURE', fault);
    }
    const direct = s.room.startsWith('dm:') && this.#sealed.has(s.room);
    const room = direct ? undefined : this.server.rooms.find(s.room);
    if (!direct && (!room || room.name.includes('@'))) return void reject('NO_SUCH_ROOM', `No room ${s.room} homed here`);
    const conv = room?.key ?? s.room;
    const accept = (seq: number) => this.parts.route(s.origin, { t: 'accepted', origin: s.origin, sub: s.sub, home: s.home, room: room?.name ?? conv, seq, hops: 0 });
    const known = await this.parts.store.eventOfSubmission(s.origin, s.sub);
    if (known) return void accept(known.seq);
    const senderId = remoteUserId(s.sender, s.origin);
    const member = this.#members.get(conv)?.get(senderId);
    if (!member) return void reject('NOT_IN_ROOM', room ? `Join ${room.name} first` : 'Not your conversation');
    const { local, server: memberServer } = splitServer(member.name);
    if (room && memberServer !== undefined && this.#banOf(room, local, memberServer)) return void reject('BANNED_FROM_ROOM', `You are banned from ${room.name}`);
    if (room?.modes.moderated) return void reject('MUTED', `${room.name} is moderated: only its moderators speak`);
    const refusal = (await encryptedRefusal(this.server, { conv, room, senderId, s })) ?? (await changeRefusal(this.server, { conv, senderId, s }));
    if (refusal) return void reject(refusal.errorName, refusal.message);
    const message: NewMessage = { conv, senderId, senderName: member.name, target: room?.name ?? (await this.#localPeerName(conv, senderId)), text: s.text, createdAt: s.ts };
    const offline = direct ? offlineAccountOf(this.server, conv, senderId) : undefined;
    if (offline !== undefined) message.pendingFor = [offline];
    if (s.cmid !== undefined) message.cmid = s.cmid;
    if (s.kind !== undefined) message.kind = s.kind;
    if (s.ref !== undefined) message.ref = s.ref;
    const result = await this.writer.append(message, s);
    accept(result.message.seq);
    if (!result.duplicate) {
      this.server.delivery.committed(result.message, message.pendingFor ? { pending: message.pendingFor } : {});
      this.server.metrics.messages.inc();
    }
  }

  /** The local person of a direct conversation homed here, by name (what the remote sender's message is `to`). */
  async #localPeerName(conv: string, remote: string): Promise<string> {
    const id = otherParticipant(conv, remote) ?? '';
    const online = this.server.users.get(id);
    if (online) return online.name;
    const [newest] = await this.server.store.history(conv, { limit: 1 });
    return newest ? (newest.senderId === id ? newest.senderName : newest.target) : id;
  }

  /** A neighbor follows a room (or direct conversation) homed here. */
  follow(link: Link, frame: FrameOf<'follow'>): boolean {
    const conv = convOf(frame.room);
    if (!this.#sealed.has(conv)) {
      // The other server of a direct conversation follows it as it answers the open: the follow
      // can come before this server has homed the conversation. Kept until then (bounded).
      if (conv.startsWith('dm:') && this.#waitingFollows.size < 1000) this.#waitingFollows.set(conv, { link, after: frame.after });
      return false;
    }
    this.parts.streams.follow(link, conv, frame.after);
    // Who is in it now, so the mirror's member list starts whole (joins and parts keep it so).
    const room = conv.startsWith('dm:') ? undefined : this.server.rooms.byKey(conv);
    if (room) link.send({ t: 'room', home: this.parts.identity.id, room: room.name, what: 'members', members: this.#everyone(room), ...(room.modes.encrypted ? { encrypted: true as const } : {}) });
    return true;
  }

  /** Absolute names of everyone in a room homed here: local members online and members of other servers. */
  #everyone(room: Room): string[] {
    const here = this.server.config.server_name.toLowerCase();
    return [...room.members.values()].map((u) => `${u.name}@${here}`).concat(this.memberNames(room.key));
  }
}
