import { emptyPskIndex, makePskIndex, processPrivateMessage, processPublicMessage, type ClientState, type IncomingMessageCallback, type PrivateMessage } from 'ts-mls';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { bytesEqual, copyBytes } from '../bytes.ts';
import { E2eError } from '../errors.ts';
import { RecordingAuthService, type MlsContext } from './auth-service.ts';
import type { MlsMessageOf } from './codec.ts';
import { memberAt, membersOf, membershipChange, type GroupMember } from './members.ts';
import { toE2eError } from './mls-errors.ts';
import { clientConfig, suite } from './suite.ts';

export type HandshakeOrApplication = MlsMessageOf<'mls_private_message' | 'mls_public_message'>;

/** What an incoming message turned out to be. */
export type Incoming =
  | { kind: 'application'; data: Uint8Array; sender: GroupMember; epoch: number; authenticatedData: Uint8Array }
  | {
      kind: 'commit';
      /** The epoch the group is in now. */
      epoch: number;
      committer: GroupMember | undefined;
      added: GroupMember[];
      removed: GroupMember[];
      /** This device was removed: the group state can no longer send or read. */
      removedSelf: boolean;
    }
  /** The server's copy of this device's pending commit: adopted (group.ts). */
  | { kind: 'own-commit'; epoch: number };

export interface ReceiveOutcome {
  state: ClientState;
  /** Secrets the old state held that the new one does not: the caller wipes them. */
  consumed: Uint8Array[];
  incoming: Incoming;
}

/** The proposal kinds Parley's own commits carry. Others (psk, reinit, group context extensions: E2E.md pitfall 9) are refused. */
const PARLEY_PROPOSALS = new Set(['add', 'remove', 'update']);

function header(message: HandshakeOrApplication): { groupId: Uint8Array; epoch: bigint; contentType: string } {
  return message.wireformat === 'mls_private_message' ? message.privateMessage : message.publicMessage.content;
}

/**
 * Checks the cleartext header before any decryption, so each refusal has its own code: another
 * group, a device no longer in the group, an epoch not reached yet (E2E.md pitfall 3: ts-mls would
 * only report a failed AEAD), or one left behind. The one epoch kept (suite.ts) is read only for
 * application messages, and only from a sender still in the group (`application` below).
 */
function checkHeader(state: ClientState, message: HandshakeOrApplication): void {
  const { groupId, epoch, contentType } = header(message);
  if (!bytesEqual(groupId, state.groupContext.groupId)) throw new E2eError('E2E_WRONG_GROUP', 'the message is for another group');
  if (state.groupActiveState.kind !== 'active') throw new E2eError('E2E_NOT_MEMBER', 'this device is no longer a member of the group');
  const current = state.groupContext.epoch;
  if (epoch > current) throw new E2eError('E2E_FUTURE_EPOCH', `the message is for epoch ${epoch}; this device is at ${current}`);
  const previousApplication = epoch === current - 1n && contentType === 'application';
  if (epoch < current && !previousApplication) throw new E2eError('E2E_STALE_EPOCH', `the ${contentType} is for epoch ${epoch}; the group is at ${current}`);
}

async function application(state: ClientState, pm: PrivateMessage, context: MlsContext): Promise<ReceiveOutcome> {
  const cs = await suite();
  const current = pm.epoch === state.groupContext.epoch;
  const epochData = current ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree } : state.historicalReceiverData.get(pm.epoch);
  if (epochData === undefined) throw new E2eError('E2E_STALE_EPOCH', `epoch ${pm.epoch} is no longer kept`);
  // RFC 9420 §6.3.2: the sender data names the sender's leaf; ts-mls decrypts it too but does not
  // return it, and the reader needs to know who wrote the message.
  const senderData = await decryptSenderData(pm, epochData.senderDataSecret, cs);
  const sender = senderData && memberAt(epochData.ratchetTree, senderData.leafIndex, context);
  if (!sender) throw new E2eError('E2E_DECRYPT_FAILED', 'the sender data does not name a member');
  if (!current && !membersOf(state.ratchetTree, context).some((m) => bytesEqual(m.deviceKey, sender.deviceKey))) {
    // Closes E2E.md pitfall 2: a removed device keeps the previous epoch's keys.
    throw new E2eError('E2E_STALE_EPOCH', `${sender.userId}/${sender.deviceId} sent for epoch ${pm.epoch} and is no longer a member`);
  }
  const result = await processPrivateMessage(state, pm, emptyPskIndex, cs);
  if (result.kind !== 'applicationMessage') throw new E2eError('E2E_BAD_MESSAGE', 'an application header over other content');
  return {
    state: result.newState,
    consumed: result.consumed,
    incoming: { kind: 'application', data: copyBytes(result.message), sender, epoch: Number(pm.epoch), authenticatedData: copyBytes(pm.authenticatedData) },
  };
}

async function commit(state: ClientState, message: HandshakeOrApplication, context: MlsContext): Promise<ReceiveOutcome> {
  const cs = await suite();
  let committerLeaf: number | undefined;
  let refused: string | undefined;
  // Synchronous (E2E.md pitfall 7): it can only look at what is already known.
  const policy: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit') return 'reject';
    committerLeaf = incoming.senderLeafIndex;
    refused = incoming.proposals.map((p) => String(p.proposal.proposalType)).find((type) => !PARLEY_PROPOSALS.has(type));
    return refused === undefined ? 'accept' : 'reject';
  };
  const pskIndex = makePskIndex(state, {});
  const result =
    message.wireformat === 'mls_private_message'
      ? await processPrivateMessage(state, message.privateMessage, pskIndex, cs, policy)
      : await processPublicMessage(state, message.publicMessage, pskIndex, cs, policy);
  if (refused !== undefined) throw new E2eError('E2E_UNSUPPORTED', `a commit with a ${refused} proposal (Parley commits only add, remove and update)`);
  if ('kind' in result && result.kind === 'applicationMessage') throw new E2eError('E2E_BAD_MESSAGE', 'a commit header over other content');
  const before = membersOf(state.ratchetTree, context);
  const removedSelf = result.newState.groupActiveState.kind === 'removedFromGroup';
  const { added, removed } = membershipChange(before, membersOf(result.newState.ratchetTree, context));
  return {
    state: result.newState,
    consumed: result.consumed,
    incoming: {
      kind: 'commit',
      epoch: Number(result.newState.groupContext.epoch),
      committer: committerLeaf === undefined ? undefined : memberAt(state.ratchetTree, committerLeaf, context),
      added,
      removed,
      removedSelf,
    },
  };
}

/** Processes one message against `state`; never changes `state` itself (ts-mls is immutable). */
export async function receiveMessage(state: ClientState, message: HandshakeOrApplication, context: MlsContext): Promise<ReceiveOutcome> {
  checkHeader(state, message);
  const { contentType } = header(message);
  if (contentType === 'proposal') {
    // Parley sends every change as a commit with its proposals inline. Leaving the proposal
    // unprocessed is safe: a later commit from the same sender ratchets past its generation.
    throw new E2eError('E2E_UNSUPPORTED', 'standalone proposals are not used by Parley');
  }
  const auth = new RecordingAuthService(context);
  const configured: ClientState = { ...state, clientConfig: clientConfig(auth) };
  try {
    if (contentType !== 'application') return await commit(configured, message, context);
    if (message.wireformat !== 'mls_private_message') throw new E2eError('E2E_BAD_MESSAGE', 'application data must be a PrivateMessage (RFC 9420 §6)');
    return await application(configured, message.privateMessage, context);
  } catch (error) {
    throw toE2eError(error, { fallback: contentType === 'commit' ? 'E2E_INVALID_COMMIT' : 'E2E_DECRYPT_FAILED', refusal: auth.refusal, what: `cannot process the ${contentType}` });
  }
}
