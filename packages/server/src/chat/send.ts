import { ALL_TARGET, type CommandArgs, isRoomTarget, type MessageKind, nameKey, ParleyError, splitServer } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import { ALL_CONVERSATION, dmConversation, type NewMessage, type StoredMessage } from '../store/store.ts';
import { isConversationId, requireOwnConversation } from './direct-conversations.ts';
import { elsewhere } from './federated-names.ts';
import { requireMessage } from './message-fold.ts';
import type { Room } from './room.ts';
import { accountUserId, type User } from './user.ts';

/** Where a message goes: its conversation, what recipients see as `to`, and who gets it live. */
export interface Destination {
  conv: string;
  label: string;
  room?: Room;
  everyone?: boolean;
  /** Direct messages: the other party, online or not. */
  peer?: { id: string; name: string; accountId: number | undefined; online: User | undefined };
}

async function findPeer(server: ServerContext, name: string): Promise<NonNullable<Destination['peer']>> {
  const online = server.users.findByName(name);
  if (online) return { id: online.id, name: online.name, accountId: online.accountId, online };
  // Online on another node of the cluster: its node delivers it. Asked before the store, which
  // it answers without a round trip at every DM to someone there (names are unique across
  // guests and accounts, and an account's name never changes).
  const remote = server.cluster?.roster.findByName(name);
  if (remote) return { id: remote.id, name: remote.name, accountId: remote.kind === 'account' ? Number(remote.id.slice(1)) : undefined, online: undefined };
  const account = await server.store.findAccount(nameKey(name));
  if (account) return { id: accountUserId(account.id), name: account.name, accountId: account.id, online: undefined };
  throw new ParleyError('NO_SUCH_USER', `No user named ${name}`);
}

/**
 * The other person of a direct conversation named by its id: the one it was with, never
 * someone who has taken the name since (a guest's name is free again once it leaves). Offline,
 * its name is the one in the conversation's newest message; a guest offline is gone for good.
 */
async function peerOf(server: ServerContext, sender: User, conv: string): Promise<NonNullable<Destination['peer']>> {
  const { peerId } = requireOwnConversation(sender, conv);
  const online = server.users.get(peerId);
  if (online) return { id: online.id, name: online.name, accountId: online.accountId, online };
  // Online on another node: as for one online here, no store read at every send.
  const remote = server.cluster?.roster.get(peerId);
  if (remote) return { id: peerId, name: remote.name, accountId: peerId.startsWith('a') ? Number(peerId.slice(1)) : undefined, online: undefined };
  const [newest] = await server.store.history(conv, { limit: 1 });
  if (!newest) throw new ParleyError('NO_SUCH_CONVERSATION', `${conv} is not one of your conversations`);
  const name = newest.senderId === peerId ? newest.senderName : newest.target;
  if (!peerId.startsWith('a')) throw new ParleyError('NO_SUCH_USER', `${name} has left; guests cannot get messages while offline`);
  return { id: peerId, name, accountId: Number(peerId.slice(1)), online: undefined };
}

/** A direct conversation with a user of another server (federation/direct.ts), by name@server or by its id; undefined for anything else. */
async function remoteDirect(server: ServerContext, sender: User, target: string): Promise<Destination | undefined> {
  if (isConversationId(target)) {
    const peer = server.federation?.direct.isFederated(target) ? server.federation.direct.peerOf(target, sender.id) : undefined;
    if (!peer) return undefined;
    requireOwnConversation(sender, target);
    return { conv: target, label: peer.name, peer: { id: peer.id, name: peer.name, accountId: undefined, online: undefined } };
  }
  if (!elsewhere(server, target) || !server.federation) return undefined;
  const direct = await server.federation.direct.resolve({ user: sender }, target);
  return { conv: direct.conv, label: direct.label, peer: { id: direct.peerId, name: direct.label, accountId: undefined, online: undefined } };
}

export async function resolveTarget(server: ServerContext, sender: User, { target, mustBeMember }: { target: string; mustBeMember: boolean }): Promise<Destination> {
  if (target.toUpperCase() === ALL_TARGET) return { conv: ALL_CONVERSATION, label: ALL_TARGET, everyone: true };
  if (!isRoomTarget(target) && (target.includes('@') || isConversationId(target))) {
    const remote = await remoteDirect(server, sender, target);
    if (remote) return remote;
    // name@<this server>: the local name.
    if (!isConversationId(target)) target = splitServer(target).local;
  }
  if (isConversationId(target)) {
    const peer = await peerOf(server, sender, target);
    return { conv: target, label: peer.name, peer };
  }
  if (isRoomTarget(target)) {
    const room = server.rooms.require(target);
    if (mustBeMember && !sender.rooms.has(room.key)) throw new ParleyError('NOT_IN_ROOM', `Join ${room.name} first`);
    return { conv: room.key, label: room.name, room };
  }
  const peer = await findPeer(server, target);
  return { conv: dmConversation(sender.id, peer.id), label: peer.name, peer };
}

/** The conversation a HISTORY request names: a room, ALL, the DM with a user, or a DM by its id. */
export async function resolveConversation(server: ServerContext, user: User, target: string): Promise<{ conv: string; label: string }> {
  if (isConversationId(target)) return { conv: requireOwnConversation(user, target).conv, label: target };
  const { conv, label, room } = await resolveTarget(server, user, { target, mustBeMember: false });
  // Public rooms can be read before joining; an invite-only or password-protected room's
  // history is for its members only.
  if (room && !user.rooms.has(room.key) && room.isPrivate()) {
    throw new ParleyError('NOT_IN_ROOM', `${room.name} is private: join it to read its history`);
  }
  return { conv, label };
}

export interface SentReceipt {
  to: string;
  conv: string;
  seq: number;
  duplicate: boolean;
  pending?: true;
}

/**
 * Validates every target first (a send to several targets is all or nothing), stores one
 * message per target in the same batch, then routes. The sender's session hears back through
 * the reply; its other sessions and all recipients get a `message` event.
 */
export async function sendMessage(actor: Actor, args: CommandArgs<'send'>): Promise<SentReceipt[]> {
  const { server, user: sender } = actor;
  const { limits } = server.config;
  // Names are the same name by their key; conversation ids only when equal (ids are not names, and lookalike folding would merge two).
  const targets = [...new Map((Array.isArray(args.to) ? args.to : [args.to]).map((t) => [isConversationId(t) ? t : nameKey(t), t])).values()];
  if (targets.length > limits.max_recipients) {
    throw new ParleyError('TOO_MANY_RECIPIENTS', `At most ${limits.max_recipients} targets per send`);
  }
  if (args.text.trim() === '') throw new ParleyError('TEXT_EMPTY', 'Nothing to send');
  if (Buffer.byteLength(args.text) > limits.max_text_bytes) {
    throw new ParleyError('TEXT_TOO_LONG', `Messages are at most ${limits.max_text_bytes} bytes`);
  }
  const destinations = await Promise.all(targets.map((target) => resolveTarget(server, sender, { target, mustBeMember: true })));
  const encrypted = destinations.find((d) => d.room?.modes.encrypted);
  if (encrypted) {
    throw new ParleyError('E2E_ROOM_ENCRYPTED', `${encrypted.label} is end-to-end encrypted: its messages go through a client with encryption (parley chat, the web client, the SDK)`);
  }
  if (args.reply !== undefined) {
    if (destinations.length !== 1) throw new ParleyError('BAD_ARGUMENTS', 'A reply goes to one conversation: the one its message is in');
    await requireMessage(server, destinations[0]!.conv, args.reply);
  }
  return deliverMessages(actor, destinations, { text: args.text, cmid: args.cmid, kind: args.kind, ref: args.reply });
}

/** A message as a destination's conversation stores it (with its offline queue entry, for a DM peer offline here). */
/** What a send carries: `ref` is the seq a reply answers, or the message an edit, redaction or reaction is about. */
export interface MessageContent {
  text: string;
  cmid?: string | undefined;
  kind?: MessageKind | undefined;
  ref?: number | undefined;
}

export function newMessageFor(actor: Actor, d: Destination, content: MessageContent): NewMessage {
  const { server, user: sender } = actor;
  const message: NewMessage = { conv: d.conv, senderId: sender.id, senderName: sender.name, target: d.label, text: content.text, createdAt: Date.now() };
  if (content.cmid !== undefined) message.cmid = content.cmid;
  if (content.kind !== undefined) message.kind = content.kind;
  if (content.ref !== undefined) message.ref = content.ref;
  // Offline here: queued, and a node where the peer is online takes it off the queue.
  if (d.peer?.accountId !== undefined && !server.users.get(d.peer.id)) message.pendingFor = [d.peer.accountId];
  return message;
}

/** After a message is stored: cursors, live delivery, and the offline queue entry a peer who came online meanwhile does not need. */
export function committedMessage(actor: Actor, d: Destination, stored: { message: StoredMessage; duplicate: boolean; queued: readonly number[] | undefined }): SentReceipt {
  const { server, session } = actor;
  const { message, duplicate, queued } = stored;
  session.sentMessage(message.conv, message.seq);
  if (!duplicate) {
    server.delivery.committed(message, { pending: queued, origin: session });
    if (queued && d.peer && server.users.get(d.peer.id)) {
      // Queued as offline, but the peer logged in here meanwhile and got it live: unqueue it.
      server.store.clearPending(queued[0]!, [message]).catch((err: unknown) => server.log.warn({ err }, 'clearPending failed'));
    }
  }
  return { to: d.label, conv: message.conv, seq: message.seq, duplicate };
}

/** Stores one message per destination (through the batching writer) and routes each. */
export async function deliverMessages(actor: Actor, destinations: readonly Destination[], content: MessageContent): Promise<SentReceipt[]> {
  const { server } = actor;
  const messages = destinations.map((d) => newMessageFor(actor, d, content));
  const { federation } = server;
  // A room other servers follow is sealed as it is appended; one homed elsewhere is submitted to its home.
  const stored = await Promise.all(
    messages.map((message) => {
      return federation?.routesConv(message.conv) ? federation.append(actor, message.conv, message) : server.writer.append(message);
    }),
  );
  server.metrics.messages.inc(stored.length);
  return stored.map((result, i) => {
    if ('pending' in result) return { to: destinations[i]!.label, conv: result.message.conv, seq: 0, duplicate: false, pending: true as const };
    if ('delivered' in result) {
      // Mirrored from its home: delivered here when the home's event was stored.
      actor.session.sentMessage(result.message.conv, result.message.seq);
      return { to: destinations[i]!.label, conv: result.message.conv, seq: result.message.seq, duplicate: result.duplicate };
    }
    return committedMessage(actor, destinations[i]!, { message: result.message, duplicate: result.duplicate, queued: messages[i]!.pendingFor });
  });
}
