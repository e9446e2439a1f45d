import { ParleyError, splitServer, type CommandArgs, type E2eDirectoryEntry, type E2eErrorDetail, type ReplyData, type SentReceipt } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';
import { elsewhere } from '../chat/federated-names.ts';
import { resolveTarget } from '../chat/send.ts';
import { boundDevice, requireDevice, sessionsOfDevice } from '../e2e/e2e-devices.ts';
import { takeTree } from '../e2e/tree-parts.ts';
import type { MirroredRoomRecord } from '../store/store.ts';
import { idAt, nameAt } from './e2e-ids.ts';
import { answerVerifies, signRequest, welcomeVerifies } from './e2e-signing.ts';
import { signSubmission } from './envelope.ts';
import { remoteUserId, type FederationParts, type HomeRooms } from './home-rooms.ts';
import type { FrameOf } from './link-frames.ts';
import type { Mirrors } from './mirrors.ts';
import { knownCode } from './outbox.ts';

const ANSWER_TIMEOUT_MS = 10_000;

type Op = FrameOf<'e2e'>['op'];

/**
 * A local user's end-to-end verbs that another server must answer: the directory entry and
 * KeyPackages of that server's users, and the group verbs of conversations homed there (the
 * home is their Delivery Service and orders their commits). Each is a request signed by this
 * server, answered signed by the other; what comes back is put in this server's terms
 * (e2e-ids.ts) before the client sees it. Encrypted messages to such a conversation are
 * submissions like any message (with the sender's device, which the home checks).
 */
export class E2eRelay {
  readonly #waiting = new Map<number, (frame: FrameOf<'e2e_answer'>) => void>();

  constructor(
    private readonly server: ServerContext,
    private readonly parts: FederationParts & { mirrors: Mirrors; home: HomeRooms },
  ) {}

  /** EDEVICES for a user of another server, or undefined for a name of this one. */
  async directory(actor: Actor, name: string): Promise<E2eDirectoryEntry | undefined> {
    const remote = this.#remoteUser(name);
    if (!remote) return undefined;
    const entry = (await this.#ask(actor, { to: remote.server, op: 'devices', conv: '', args: { name: remote.local } })) as E2eDirectoryEntry;
    return { ...entry, name: this.#name(entry.name, remote.server), user_id: this.#id(entry.user_id, remote.server) };
  }

  async claim(actor: Actor, args: CommandArgs<'kpclaim'>): Promise<ReplyData['kpclaim'] | undefined> {
    const remote = this.#remoteUser(args.name);
    if (!remote) return undefined;
    const answer = (await this.#ask(actor, { to: remote.server, op: 'claim', conv: '', args: { ...args, name: remote.local } })) as ReplyData['kpclaim'];
    return { ...answer, user_id: this.#id(answer.user_id, remote.server) };
  }

  /** EGROUP, EGROUPINFO, EMEMBERS of a conversation homed elsewhere; undefined for one homed here. */
  async group(actor: Actor, op: 'egroup' | 'egroupinfo' | 'emembers', args: { to: string }): Promise<ReplyData['egroupinfo'] | ReplyData['emembers'] | undefined> {
    const mirror = await this.#mirrored(actor, args.to);
    if (!mirror) return undefined;
    const answer = await this.#ask(actor, { to: mirror.home, op, conv: mirror.room, args });
    if (op === 'emembers') {
      const members = (answer as ReplyData['emembers']).members.map((m) => ({ user_id: this.#id(m.user_id, mirror.home), name: this.#name(m.name, mirror.home) }));
      return { conv: mirror.conv, members };
    }
    const info = answer as ReplyData['egroupinfo'];
    return { ...info, conv: mirror.conv, members: info.members.map((m) => ({ user_id: this.#id(m.user_id, mirror.home), device_id: m.device_id })) };
  }

  /** ECOMMIT to a conversation homed elsewhere: the commit travels as this server's signed submission, and the home orders it. */
  async commit(actor: Actor, args: CommandArgs<'ecommit'>): Promise<ReplyData['ecommit'] | undefined> {
    const mirror = await this.#mirrored(actor, args.to);
    if (!mirror) return undefined;
    requireDevice(actor.session);
    const tree = inlineTree(actor.session, args);
    const sub = await this.parts.store.nextSub();
    const s = signSubmission(this.parts.identity, {
      sub,
      home: mirror.home,
      room: mirror.room,
      sender: actor.user.id,
      name: actor.user.name,
      // The home keys the commit's place by it (home-rooms.ts presign): unique, as sub is.
      cmid: `c${sub}`,
      kind: 'mls_commit',
      text: args.commit,
      ts: Date.now(),
    });
    const { tree_parts: _parts, ...rest } = args;
    const request = { ...rest, ...(tree === undefined ? {} : { tree }) };
    const answer = (await this.#ask(actor, { to: mirror.home, op: 'ecommit', conv: mirror.room, args: request, s })) as ReplyData['ecommit'];
    return { ...answer, conv: mirror.conv };
  }

  /** ESEND to a conversation homed elsewhere: a submission with the sender's device, answered once the home's event is here (or as pending). */
  async send(actor: Actor, args: CommandArgs<'esend'>): Promise<ReplyData['esend'] | undefined> {
    const mirror = await this.#mirrored(actor, args.to);
    if (!mirror) return undefined;
    const device = requireDevice(actor.session);
    const { message } = await this.parts.mirrors.outbox.send(actor, mirror, { text: args.data, kind: 'mls', cmid: args.cmid, ref: args.ref, dev: device.deviceId });
    const { label } = mirror;
    if (!message) return { sent: [{ to: label, conv: mirror.conv, seq: 0, duplicate: false, pending: true } as SentReceipt] };
    actor.session.sentMessage(message.conv, message.seq);
    return { sent: [{ to: label, conv: message.conv, seq: message.seq, duplicate: false }] };
  }

  /** A user of another server, by a name with its server's: the server's id and the name there. */
  #remoteUser(name: string): { server: string; local: string } | undefined {
    if (name.startsWith('#') || !elsewhere(this.server, name)) return undefined;
    const { local, server } = splitServer(name);
    const peer = this.parts.peers.byName(server ?? '');
    if (!peer) throw new ParleyError('NO_SUCH_SERVER', `No server named ${server} is known here`);
    return { server: peer.id, local };
  }

  /** The conversation `to` names, when it is mirrored from another home. */
  async #mirrored(actor: Actor, to: string): Promise<(MirroredRoomRecord & { label: string }) | undefined> {
    const destination = await resolveTarget(this.server, actor.user, { target: to, mustBeMember: true });
    const mirror = this.parts.mirrors.mirrorOf(destination.conv);
    return mirror && { ...mirror, label: destination.label };
  }

  #id(id: string, from: string): string {
    return idAt(id, from, this.parts.identity.id);
  }

  #name(name: string, from: string): string {
    return nameAt(name, this.parts.nameOf(from), this.parts.nameOf(this.parts.identity.id));
  }

  async #ask(actor: Actor, request: { to: string; op: Op; conv: string; args: unknown; s?: FrameOf<'e2e'>['s'] }): Promise<unknown> {
    const rid = this.parts.rid();
    const device = boundDevice(actor.session)?.deviceId ?? '';
    const frame = signRequest(this.parts.identity, {
      rid,
      to: request.to,
      op: request.op,
      user: { id: actor.user.id, name: actor.user.name },
      device,
      conv: request.conv,
      args: JSON.stringify(request.args),
      ...(request.s ? { s: request.s } : {}),
      ts: Date.now(),
    });
    const answer = await new Promise<FrameOf<'e2e_answer'> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ANSWER_TIMEOUT_MS);
      this.#waiting.set(rid, (a) => (clearTimeout(timer), resolve(a)));
      if (!this.parts.route(request.to, frame)) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
    this.#waiting.delete(rid);
    const where = this.parts.nameOf(request.to);
    if (!answer) throw new ParleyError('FEDERATION_UNREACHABLE', `${where} cannot be reached right now; try again`);
    if (answer.code !== undefined) {
      const detail = answer.detail === undefined ? undefined : (JSON.parse(answer.detail) as E2eErrorDetail);
      throw new ParleyError(knownCode(answer.code), `${answer.message ?? answer.code} (${where})`, detail ? { detail } : {});
    }
    return JSON.parse(answer.data ?? 'null') as unknown;
  }

  /** An answer for one of this server's requests: taken only from the server asked, signed by it. */
  answered(frame: FrameOf<'e2e_answer'>): void {
    if (!answerVerifies(frame)) return void this.server.log.warn({ from: frame.from }, 'federation: forged e2e answer dropped');
    this.#waiting.get(frame.rid)?.(frame);
  }

  /**
   * A local user's devices changed: the servers of the people it has direct conversations or
   * encrypted rooms with tell theirs (e2e_devices), whose clients read the directory again and
   * commit the change. Unsigned: all it can make a client do is ask again, and the answers are
   * signed.
   */
  announceDevices(user: { id: string; name: string; rooms: ReadonlyMap<string, Room> }, peerIds: readonly string[], identityChanged: boolean): void {
    const servers = serversOf(peerIds);
    for (const room of user.rooms.values()) if (room.modes.encrypted) for (const id of this.#serversIn(room)) servers.add(id);
    servers.delete(this.parts.identity.id);
    for (const to of servers) {
      this.parts.route(to, { t: 'devices', origin: this.parts.identity.id, to, user: { id: user.id, name: user.name }, ...(identityChanged ? { identity_changed: true } : {}), hops: 0 });
    }
  }

  /** The other servers with people in a room: a mirror's home and the servers its members are on, or the servers of a room homed here. */
  #serversIn(room: Room): string[] {
    const { mirrors, home, peers } = this.parts;
    const mirror = mirrors.mirrorOf(room.key);
    if (!mirror) return home.remoteMembersOf(room.key).map((m) => m.server);
    const onServers = mirrors.membersOf(room.key).flatMap((name) => peers.byName(splitServer(name).server ?? '')?.id ?? []);
    return [mirror.home, ...onServers];
  }

  async devicesChanged(frame: FrameOf<'devices'>): Promise<void> {
    const userId = remoteUserId(frame.user.id, frame.origin);
    const name = `${frame.user.name}@${this.parts.nameOf(frame.origin)}`;
    const event = new OutboundEvent(frame.identity_changed ? { ev: 'e2e_devices', user: name, user_id: userId, identity_changed: true } : { ev: 'e2e_devices', user: name, user_id: userId });
    const told = new Set<User>();
    for (const peer of await this.server.store.directConversations(userId, 200)) {
      const online = this.server.users.get(peer.peerId);
      if (online) told.add(online);
    }
    const { mirrors, home } = this.parts;
    for (const room of this.server.rooms.list()) {
      if (!room.modes.encrypted) continue;
      const isIn = mirrors.isMirror(room.key) ? mirrors.membersOf(room.key).includes(name) : home.remoteMember(room.key, userId) !== undefined;
      if (isIn) for (const member of room.members.values()) told.add(member);
    }
    for (const user of told) for (const session of user.sessions) session.deliver(event);
  }

  /** A Welcome for one of this server's devices from a conversation's home: kept until the device takes it, and acknowledged. */
  async welcomed(frame: FrameOf<'welcome'>): Promise<void> {
    if (!welcomeVerifies(frame)) return void this.server.log.warn({ home: frame.home }, 'federation: forged welcome dropped');
    const conv = this.parts.mirrors.convAt(frame.home, frame.room);
    if (!conv) return void this.server.log.warn({ home: frame.home, room: frame.room }, 'federation: welcome for a conversation not mirrored here dropped');
    const device = { userId: frame.user, deviceId: frame.device };
    const record = { ...device, groupId: frame.group, conv, epoch: frame.epoch, seq: frame.seq, welcome: frame.welcome, tree: frame.tree, createdAt: Date.now() };
    await this.parts.store.putWelcome(record);
    this.parts.route(frame.home, { t: 'welcome_ack', home: frame.home, from: this.parts.identity.id, user: frame.user, device: frame.device, group: frame.group, hops: 0 });
    const event = new OutboundEvent({ ev: 'welcome', conv, group: frame.group, epoch: frame.epoch, seq: frame.seq, welcome: frame.welcome, tree: frame.tree });
    for (const session of sessionsOfDevice(this.server, device)) session.deliver(event);
  }
}

/** The servers of the users of other servers among `ids` (`<id>@<server id>`). */
function serversOf(ids: readonly string[]): Set<string> {
  return new Set(ids.filter((id) => id.includes('@')).map((id) => id.slice(id.lastIndexOf('@') + 1)));
}

/** The ratchet tree of a commit, inline: parts sent ahead (ETREEPART) are joined here, since the home never saw them. */
function inlineTree(session: Session, args: CommandArgs<'ecommit'>): string | undefined {
  if (args.tree !== undefined && args.tree_parts !== undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit carries its tree inline or in parts, not both');
  return args.tree_parts === undefined ? args.tree : takeTree(session, { group: args.group, epoch: args.epoch, count: args.tree_parts });
}
