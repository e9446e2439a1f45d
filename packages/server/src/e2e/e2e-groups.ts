import { ParleyError, type CommandArgs, type E2eWelcome, type ReplyData } from '@parley/protocol';
import type { Actor } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { committedMessage, newMessageFor } from '../chat/send.ts';
import { requireMessage } from '../chat/message-fold.ts';
import type { WelcomeRecord } from '../store/store.ts';
import { conversationPeople, encryptedDestination } from './conversation-people.ts';
import { requireDevice } from './e2e-devices.ts';
import { checkEncryptedMessage, groupInfo, makeGroup, orderCommit, requireGroup } from './group-ds.ts';
import { takeTree } from './tree-parts.ts';

/**
 * Each encrypted conversation's MLS group, with the server as its Delivery Service: it orders
 * commits (one per epoch wins, atomically with the commit's place in the conversation), hands
 * Welcomes to the devices they add, and accepts encrypted messages only from a member device for
 * the current epoch. It reads MLS headers (group, epoch, content type: cleartext by design) and
 * never anything inside.
 *
 * Commits and encrypted messages are messages of the conversation (kinds `mls_commit` and `mls`),
 * so offline delivery, resume cursors, history and every device of a user work for them as they
 * do for plaintext, in one order.
 */

export async function createGroup(actor: Actor, args: CommandArgs<'egroup'>): Promise<ReplyData['egroup']> {
  const device = requireDevice(actor.session);
  const destination = await encryptedDestination(actor, args.to);
  return makeGroup(actor.server, { conv: destination.conv, groupId: args.group, creator: device });
}

export async function describePeople(actor: Actor, to: string): Promise<ReplyData['emembers']> {
  const destination = await encryptedDestination(actor, to);
  const people = await conversationPeople(actor, destination);
  return { conv: destination.conv, members: [...people].map(([id, name]) => ({ user_id: id, name })) };
}

export async function describeGroup(actor: Actor, to: string): Promise<ReplyData['egroupinfo']> {
  const destination = await encryptedDestination(actor, to);
  return groupInfo(actor.server, await requireGroup(actor.server, destination.conv));
}

export async function commitToGroup(actor: Actor, args: CommandArgs<'ecommit'>): Promise<ReplyData['ecommit']> {
  const { server, session } = actor;
  const device = requireDevice(session);
  const destination = await encryptedDestination(actor, args.to);
  const tree = commitTree(session, args);
  const message = newMessageFor(actor, destination, { text: args.commit, kind: 'mls_commit' });
  const people = () => conversationPeople(actor, destination);
  const result = await orderCommit(server, { conv: destination.conv, device, args, tree, people, message });
  const receipt = committedMessage(actor, destination, { message: result.message, duplicate: false, queued: result.queued });
  return { conv: destination.conv, seq: receipt.seq, epoch: result.epoch };
}

/** The ratchet tree a commit carries, inline or sent ahead in parts: required with a Welcome (the joiners need it), kept otherwise only if sent. */
function commitTree(session: Session, args: CommandArgs<'ecommit'>): string | undefined {
  if (args.tree !== undefined && args.tree_parts !== undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit carries its tree inline or in parts, not both');
  return args.tree_parts === undefined ? args.tree : takeTree(session, { group: args.group, epoch: args.epoch, count: args.tree_parts });
}

/** An encrypted message: from a member device, for the group's current epoch, or refused. */
export async function sendEncrypted(actor: Actor, args: CommandArgs<'esend'>): Promise<ReplyData['esend']> {
  const { server, session } = actor;
  const device = requireDevice(session);
  const destination = await encryptedDestination(actor, args.to);
  await checkEncryptedMessage(server, { conv: destination.conv, room: destination.room, device, text: args.data });
  if (args.ref !== undefined) await requireMessage(server, destination.conv, args.ref);
  const message = newMessageFor(actor, destination, { text: args.data, kind: 'mls', cmid: args.cmid, ref: args.ref });
  // A conversation other servers follow is sealed as it is appended (federation.ts).
  const stored = server.federation?.routesConv(message.conv) ? await server.federation.append(actor, message.conv, message) : await server.writer.append(message);
  server.metrics.messages.inc(1);
  return { sent: [committedMessage(actor, destination, { ...stored, queued: message.pendingFor })] };
}

const toWelcome = (w: WelcomeRecord): E2eWelcome => ({ conv: w.conv, group: w.groupId, epoch: w.epoch, seq: w.seq, welcome: w.welcome, tree: w.tree });

export async function pendingWelcomes(actor: Actor): Promise<ReplyData['welcomes']> {
  const device = requireDevice(actor.session);
  const { server } = actor;
  // Homes on other servers send theirs to this one (federation/e2e-relay.ts), kept apart.
  const remote = (await server.store.federation?.welcomesFor(device)) ?? [];
  return { welcomes: [...(await server.store.e2e.welcomesFor(device)), ...remote].map(toWelcome) };
}

export async function acknowledgeWelcome(actor: Actor, groupId: string): Promise<ReplyData['welcomeack']> {
  const device = requireDevice(actor.session);
  await actor.server.store.e2e.deleteWelcome(device, groupId);
  await actor.server.store.federation?.deleteWelcome(device, groupId);
  return { group: groupId };
}
