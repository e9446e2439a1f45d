import { COMMAND_SCHEMAS, ParleyError, type E2eWelcome } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { dmParticipants } from '../chat/conversation-delivery.ts';
import { roomPeople } from '../e2e/conversation-people.ts';
import { directoryEntry } from '../e2e/e2e-devices.ts';
import { groupInfo, makeGroup, orderCommit, requireGroup } from '../e2e/group-ds.ts';
import { claimKeyPackages } from '../e2e/key-package-directory.ts';
import type { GroupDevice, NewMessage } from '../store/store.ts';
import { idAt } from './e2e-ids.ts';
import { requestVerifies, signAnswer, signWelcome } from './e2e-signing.ts';
import { submissionFault } from './envelope.ts';
import { offlineAccountOf } from './direct-ids.ts';
import { remoteUserId, type FederationParts, type HomeRooms } from './home-rooms.ts';
import type { FrameOf } from './link-frames.ts';

/** A request older than this is refused: one replayed later cannot claim KeyPackages again. */
const REQUEST_MAX_AGE_MS = 10 * 60_000;
const SEEN_MAX = 10_000;

/** Who asks, in this server's terms: another server's user and device. */
interface Caller {
  id: string;
  name: string;
  device: GroupDevice;
  origin: string;
}

interface Conversation {
  conv: string;
  /** What its messages are `to`: the room's name, or the DM's local person. */
  target: string;
  people: () => Promise<ReadonlyMap<string, string>>;
}

/**
 * The Delivery Service for users of other servers: their servers ask this one for its users'
 * directory entries and KeyPackages, and for the group verbs of conversations homed here, which
 * run by the same rules as a local connection's (e2e/group-ds.ts). Answers are in this server's
 * terms; the asking server puts them in its own (e2e-ids.ts).
 */
export class HomeE2e {
  readonly #seen = new Set<string>();

  constructor(
    private readonly server: ServerContext,
    private readonly parts: FederationParts & { home: HomeRooms },
  ) {}

  async request(frame: FrameOf<'e2e'>): Promise<void> {
    const answer = (result: unknown) => {
      const base = { rid: frame.rid, origin: frame.origin };
      const signed =
        result instanceof ParleyError
          ? signAnswer(this.parts.identity, { ...base, code: result.errorName, message: result.message, ...(result.detail ? { detail: JSON.stringify(result.detail) } : {}) })
          : signAnswer(this.parts.identity, { ...base, data: JSON.stringify(result) });
      this.parts.route(frame.origin, signed);
    };
    const fault = this.#fault(frame);
    if (fault) {
      this.server.log.warn({ origin: frame.origin, op: frame.op, fault }, 'federation: e2e request refused');
      return void answer(new ParleyError('FEDERATION_BAD_SIGNATURE', fault));
    }
    try {
      answer(await this.#run(frame));
    } catch (error) {
      if (error instanceof ParleyError) return void answer(error);
      this.server.log.error({ err: error, op: frame.op }, 'federation: e2e request failed');
      answer(new ParleyError('INTERNAL', 'The server could not do that'));
    }
  }

  #fault(frame: FrameOf<'e2e'>): string | undefined {
    if (!requestVerifies(frame)) return 'the request is not signed by its origin';
    if (Math.abs(Date.now() - frame.ts) > REQUEST_MAX_AGE_MS) return 'the request is too old';
    const key = `${frame.origin} ${frame.rid} ${frame.ts}`;
    if (this.#seen.has(key)) return 'the request was made before';
    if (this.#seen.size >= SEEN_MAX) this.#seen.clear();
    this.#seen.add(key);
    return undefined;
  }

  async #run(frame: FrameOf<'e2e'>): Promise<unknown> {
    const id = remoteUserId(frame.user.id, frame.origin);
    const caller: Caller = { id, name: `${frame.user.name}@${this.parts.nameOf(frame.origin)}`, device: { userId: id, deviceId: frame.device }, origin: frame.origin };
    const args = parseJson(frame.args);
    switch (frame.op) {
      case 'devices': {
        const { name } = parse(COMMAND_SCHEMAS.edevices, args);
        return directoryEntry(this.server, localName(name));
      }
      case 'claim': {
        const { name, device_ids } = parse(COMMAND_SCHEMAS.kpclaim, args);
        return claimKeyPackages(this.server, { user: { id }, device: caller.device }, { name: localName(name), deviceIds: device_ids });
      }
      case 'egroup': {
        const { group } = parse(COMMAND_SCHEMAS.egroup, args);
        const { conv } = await this.#conversation(caller, frame.conv);
        return makeGroup(this.server, { conv, groupId: group, creator: caller.device });
      }
      case 'egroupinfo': {
        const { conv } = await this.#conversation(caller, frame.conv);
        return groupInfo(this.server, await requireGroup(this.server, conv));
      }
      case 'emembers': {
        const { conv, people } = await this.#conversation(caller, frame.conv);
        return { conv, members: [...(await people())].map(([user_id, name]) => ({ user_id, name })) };
      }
      case 'ecommit':
        return this.#commit(caller, frame, parse(COMMAND_SCHEMAS.ecommit, args));
    }
  }

  /** A conversation homed here that the caller is in: an encrypted room it joined, or its direct conversation with one of ours. */
  async #conversation(caller: Caller, name: string): Promise<Conversation> {
    const { home } = this.parts;
    if (name.startsWith('dm:')) {
      if (!home.isSealed(name) || !dmParticipants(name).includes(caller.id)) throw new ParleyError('NOT_IN_ROOM', 'Not your conversation');
      const people = new Map<string, string>();
      for (const id of dmParticipants(name)) people.set(id, id === caller.id ? caller.name : (this.server.users.get(id)?.name ?? id));
      const local = [...people].find(([id]) => id !== caller.id);
      return { conv: name, target: local?.[1] ?? caller.name, people: async () => people };
    }
    const room = this.server.rooms.find(name);
    if (!room || room.name.includes('@') || !home.remoteMember(room.key, caller.id)) throw new ParleyError('NOT_IN_ROOM', `Join ${name} first`);
    if (!room.modes.encrypted) throw new ParleyError('E2E_NOT_ENCRYPTED', `${room.name} is not end-to-end encrypted`);
    return { conv: room.key, target: room.name, people: () => roomPeople(this.server, room) };
  }

  async #commit(caller: Caller, frame: FrameOf<'e2e'>, args: ReturnType<typeof COMMAND_SCHEMAS.ecommit.parse>): Promise<unknown> {
    const s = frame.s;
    const self = this.parts.identity.id;
    if (!s || submissionFault(s) || s.origin !== frame.origin || s.sender !== frame.user.id || s.home !== self || s.room !== frame.conv || s.kind !== 'mls_commit' || s.text !== args.commit || s.cmid === undefined) {
      throw new ParleyError('FEDERATION_BAD_SIGNATURE', "The commit's submission does not match the commit");
    }
    const conversation = await this.#conversation(caller, frame.conv);
    const { conv } = conversation;
    const devices = (list: typeof args.added) => list.map((d) => ({ user_id: idAt(d.user_id, frame.origin, self), device_id: d.device_id }));
    const message: NewMessage = { conv, senderId: caller.id, senderName: caller.name, target: conversation.target, text: args.commit, kind: 'mls_commit', cmid: s.cmid, createdAt: s.ts };
    const offline = conv.startsWith('dm:') ? offlineAccountOf(this.server, conv, caller.id) : undefined;
    if (offline !== undefined) message.pendingFor = [offline];
    const unpresign = this.parts.home.presign(message, s);
    try {
      const result = await orderCommit(this.server, {
        conv,
        device: caller.device,
        args: { ...args, added: devices(args.added), removed: devices(args.removed) },
        tree: args.tree,
        people: conversation.people,
        message,
      });
      this.server.delivery.committed(result.message, result.queued ? { pending: result.queued } : {});
      return { conv, seq: result.message.seq, epoch: result.epoch };
    } finally {
      unpresign();
    }
  }

  /** A Welcome for a device of another server's user: to its server, which keeps it for the device (and acknowledges). */
  pushWelcome(joiner: GroupDevice & { welcome: E2eWelcome }): void {
    const at = joiner.userId.lastIndexOf('@');
    const to = joiner.userId.slice(at + 1);
    const room = this.server.rooms.byKey(joiner.welcome.conv)?.name ?? joiner.welcome.conv;
    const { welcome } = joiner;
    this.parts.route(
      to,
      signWelcome(this.parts.identity, {
        to,
        user: joiner.userId.slice(0, at),
        device: joiner.deviceId,
        room,
        group: welcome.group,
        epoch: welcome.epoch,
        seq: welcome.seq,
        welcome: welcome.welcome,
        tree: welcome.tree,
      }),
    );
  }

  /** Welcomes of other servers' devices not acknowledged yet: sent again (routes changed, or this server restarted). */
  async resendWelcomes(): Promise<void> {
    for (const w of await this.parts.store.welcomesOfOtherServers()) {
      this.pushWelcome({ userId: w.userId, deviceId: w.deviceId, welcome: { conv: w.conv, group: w.groupId, epoch: w.epoch, seq: w.seq, welcome: w.welcome, tree: w.tree } });
    }
  }

  async welcomeAcknowledged(frame: FrameOf<'welcome_ack'>): Promise<void> {
    await this.server.store.e2e.deleteWelcome({ userId: remoteUserId(frame.user, frame.from), deviceId: frame.device }, frame.group);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ParleyError('BAD_ARGUMENTS', 'The request is not JSON');
  }
}

function parse<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ParleyError('BAD_ARGUMENTS', 'The request does not fit its verb');
  return result.data;
}

/** A user of this server, as another server names it (`bob`; `bob@<this server>` is not how they ask). */
function localName(name: string): string {
  if (name.includes('@')) throw new ParleyError('NO_SUCH_USER', `No user named ${name} here`);
  return name;
}
