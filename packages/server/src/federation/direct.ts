import { nameKey, ParleyError, splitServer } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { accountUserId } from '../chat/user.ts';
import { dmConversation, type RemoteMemberRecord } from '../store/store.ts';
import { signMembership } from './envelope.ts';
import { remoteUserId, type FederationParts } from './home-rooms.ts';
import type { HomeRooms } from './home-rooms.ts';
import type { FrameOf } from './link-frames.ts';
import type { Mirrors } from './mirrors.ts';
import { knownCode } from './outbox.ts';
import { otherParticipant } from './direct-ids.ts';

const OPEN_TIMEOUT_MS = 10_000;

/** A direct conversation with a user of another server, as a send resolves it. */
export interface RemoteDirect {
  conv: string;
  /** The other person's id here (`<id>@<server id>`) and name (`bob@b.example`). */
  peerId: string;
  label: string;
}

/**
 * Direct messages with users of other servers. A conversation lives on the server of the user
 * who started it, like a room: `MSG bob@b.example hi` on a.example asks b.example who bob is
 * (a signed `dm_open`); b.example mirrors the conversation and follows it, a.example homes and
 * seals it. Later sends on either side go the way a room's do (sealed at the home, submitted
 * from the mirror). Each server names it with its own ids: `dm:a3:a5@<b>` at a.example is
 * `dm:a3@<a>:a5` at b.example.
 */
export class DirectMessages {
  /** "<local user id> <remote user id>" -> the conversation here, homed here or mirrored. */
  readonly #byPair = new Map<string, string>();
  /** "<server id> <name key>" -> the remote user's id, as learned from opens and stored members. */
  readonly #ids = new Map<string, string>();
  readonly #opens = new Map<number, (frame: FrameOf<'dm_opened'> | FrameOf<'refused'>) => void>();

  constructor(
    private readonly server: ServerContext,
    private readonly parts: FederationParts & { home: HomeRooms; mirrors: Mirrors },
  ) {}

  /** Indexes the direct conversations stored as remote members (both the homed and the mirrored ones). */
  async load(): Promise<void> {
    for (const member of await this.parts.store.remoteMembers()) {
      if (member.conv.startsWith('dm:')) this.#learn(member);
    }
  }

  #learn(member: RemoteMemberRecord): void {
    const local = otherParticipant(member.conv, member.userId);
    if (local !== undefined) this.#byPair.set(`${local} ${member.userId}`, member.conv);
    this.parts.mirrors.nameUser(member.userId, member.name);
    this.#ids.set(`${member.server} ${nameKey(splitServer(member.name).local)}`, member.userId);
  }

  /** Whether a conversation id is one of these (homed here and followed, or mirrored). */
  isFederated(conv: string): boolean {
    return conv.startsWith('dm:') && (this.parts.home.isSealed(conv) || this.parts.mirrors.isMirror(conv));
  }

  /** `bob@b.example` for `actor`: the conversation they have, or one opened now (homed here). */
  async resolve(actor: { user: { id: string; name: string } }, name: string): Promise<RemoteDirect> {
    const { local, server } = splitServer(name);
    const peer = this.parts.peers.byName(server ?? '');
    if (!peer) throw new ParleyError('NO_SUCH_SERVER', `No server named ${server} is known here`);
    const label = `${local}@${peer.name}`;
    const known = this.#ids.get(`${peer.id} ${nameKey(local)}`);
    const conv = known === undefined ? undefined : this.#byPair.get(`${actor.user.id} ${known}`);
    if (known !== undefined && conv !== undefined) return { conv, peerId: known, label };
    return this.#open(actor, { server: peer.id, name: local, label });
  }

  async #open(actor: { user: { id: string; name: string } }, { server, name, label }: { server: string; name: string; label: string }): Promise<RemoteDirect> {
    const rid = this.parts.rid();
    const statement = signMembership(this.parts.identity, 'dm', { home: server, room: name, user: { id: actor.user.id, name: actor.user.name }, ts: Date.now() });
    const answer = await new Promise<FrameOf<'dm_opened'> | FrameOf<'refused'> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS);
      this.#opens.set(rid, (frame) => (clearTimeout(timer), resolve(frame)));
      if (!this.parts.route(server, { t: 'dm_open', rid, ...statement, hops: 0 })) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
    this.#opens.delete(rid);
    if (!answer) throw new ParleyError('FEDERATION_UNREACHABLE', `${label.split('@')[1]} cannot be reached right now to start a conversation with ${label}`);
    if (answer.t === 'refused') throw new ParleyError(answer.code === 'NO_SUCH_USER' ? 'NO_SUCH_USER' : knownCode(answer.code), answer.message);
    const peerId = remoteUserId(answer.peer.id, server);
    const conv = dmConversation(actor.user.id, peerId);
    const member: RemoteMemberRecord = { conv, userId: peerId, name: `${answer.peer.name}@${this.parts.nameOf(server)}`, server };
    await this.parts.home.homeDirect(member);
    this.#learn(member);
    return { conv, peerId, label: member.name };
  }

  /** The other person of a federated direct conversation named by its id: its id here and its name@server. */
  peerOf(conv: string, userId: string): { id: string; name: string } | undefined {
    const other = otherParticipant(conv, userId);
    const name = other?.includes('@') ? this.parts.mirrors.nameOfUser(other) : undefined;
    return other !== undefined && name !== undefined ? { id: other, name } : undefined;
  }

  opened(frame: FrameOf<'dm_opened'> | FrameOf<'refused'>): void {
    this.#opens.get(frame.rid)?.(frame);
  }

  /** A user of another server starts a conversation with one of ours: mirror it and say who ours is. */
  async open(frame: FrameOf<'dm_open'>): Promise<void> {
    const refuse = (error: ParleyError) => this.parts.route(frame.origin, { t: 'refused', rid: frame.rid, origin: frame.origin, code: error.errorName, message: error.message, hops: 0 });
    const target = await this.#localUser(frame.room);
    if (!target) return void refuse(new ParleyError('NO_SUCH_USER', `No user named ${frame.room} on ${this.server.config.server_name.toLowerCase()}`));
    const peerId = remoteUserId(frame.user.id, frame.origin);
    const homeConv = dmConversation(frame.user.id, remoteUserId(target.id, this.parts.identity.id));
    const conv = dmConversation(target.id, peerId);
    const member: RemoteMemberRecord = { conv, userId: peerId, name: `${frame.user.name}@${this.parts.nameOf(frame.origin)}`, server: frame.origin };
    await this.parts.store.setRemoteMember(member, true);
    this.#learn(member);
    this.parts.mirrors.nameUser(target.id, target.name);
    await this.parts.mirrors.mirrorDirect({ conv, home: frame.origin, room: homeConv });
    this.parts.route(frame.origin, { t: 'dm_opened', rid: frame.rid, origin: frame.origin, home: this.parts.identity.id, conv: homeConv, peer: target, hops: 0 });
  }

  /** An account by name, or a guest online now (a guest offline is gone). */
  async #localUser(name: string): Promise<{ id: string; name: string } | undefined> {
    const online = this.server.users.findByName(name);
    if (online) return { id: online.id, name: online.name };
    const account = await this.server.store.findAccount(nameKey(name));
    return account ? { id: accountUserId(account.id), name: account.name } : undefined;
  }
}
