import { fromBase64Url, isE2eError, type GroupMember, type Incoming } from '@parley/e2e';
import { foldName, isRoomTarget, type ChatMessage } from '@parley/protocol';
import type { E2eDeviceRef } from '../types.ts';
import { decodePayload, decryptedMessage } from './archive.ts';
import { call, errorCode, isMls, isTransient, type E2eEnv } from './context.ts';
import type { ConvState } from './conversations.ts';
import { joinWelcome, pendingWelcome } from './welcome.ts';

/**
 * A conversation's incoming commits and encrypted messages, through its group strictly in seq
 * order (the server's order is the MLS order). Each runs inside the conversation's queue task.
 * What a message yields (a `message` event, an `e2e_error`) is emitted only after the state it
 * led to is saved. Failures never stop the queue: they are reported, or buffered when they may
 * succeed after the next commit (E2E_FUTURE_EPOCH).
 */
type Emit = () => void;

const HISTORY_PAGE = 200;
const MAX_BUFFERED = 200;
/** How often a message for a conversation without a usable group may ask for a Welcome. */
const WELCOME_CHECK_MS = 3000;
const lastWelcomeCheck = new WeakMap<ConvState, number>();

const refs = (members: GroupMember[]): E2eDeviceRef[] => members.map((m) => ({ userId: m.userId, deviceId: m.deviceId }));
const done = (state: ConvState, seq: number) => seq <= state.meta.processed || state.meta.own.includes(seq);
const fromOwnUser = (env: E2eEnv, message: ChatMessage) => foldName(message.from) === foldName(env.self().name);

function report(env: E2eEnv, message: ChatMessage, failure: { code: string; message: string }): Emit {
  return () => env.hooks.emit('e2e_error', { conv: message.conv, seq: message.seq, from: message.from, code: failure.code, message: failure.message });
}

function reportError(env: E2eEnv, message: ChatMessage, error: unknown): Emit {
  return report(env, message, { code: errorCode(error), message: error instanceof Error ? error.message : String(error) });
}

/** The other person's current name (or the room's), from the messages themselves (a Welcome does not say). */
function learnPeer(env: E2eEnv, state: ConvState, message: ChatMessage): void {
  state.meta.peer = isRoomTarget(message.to) || fromOwnUser(env, message) ? message.to : message.from;
}

function buffer(state: ConvState, message: ChatMessage): Emit[] {
  if (!state.buffer.some((m) => m.seq === message.seq)) state.buffer.push(message);
  return [];
}

async function onApplication(env: E2eEnv, message: ChatMessage, incoming: Extract<Incoming, { kind: 'application' }>): Promise<Emit[]> {
  let payload;
  try {
    payload = decodePayload(incoming.data);
  } catch (error) {
    return [reportError(env, message, error)];
  }
  // The server names the sender; the MLS signature says which user's device wrote it.
  if ((incoming.sender.userId === env.self().userId) !== fromOwnUser(env, message)) {
    return [report(env, message, { code: 'E2E_SENDER_MISMATCH', message: `The message says it is from ${message.from}; it was signed by ${incoming.sender.userId}/${incoming.sender.deviceId}` })];
  }
  // The server's cleartext ref must be the one the sender wrote inside.
  if (payload.ref !== message.ref) {
    return [report(env, message, { code: 'E2E_BAD_PAYLOAD', message: `The message refers to ${message.ref ?? 'nothing'} outside its encryption and to ${payload.ref ?? 'nothing'} inside` })];
  }
  const sender = incoming.sender.userId;
  if (payload.kind === 'edit' && payload.ref !== undefined) {
    // Only a message's author edits it; the signatures say who wrote both (when this device read the original).
    const original = await env.archive.get(message.conv, payload.ref);
    if (original?.sender !== undefined && original.sender !== sender) {
      return [report(env, message, { code: 'E2E_SENDER_MISMATCH', message: `An edit of message ${payload.ref}, signed by ${sender}, who did not write it` })];
    }
  }
  await env.archive.put(message.conv, message.seq, { ...payload, from: message.from, to: message.to, ts: message.ts, sender });
  const decrypted = decryptedMessage(message, payload);
  return [() => env.hooks.emit('message', decrypted)];
}

async function onFailure(env: E2eEnv, state: ConvState, input: { message: ChatMessage; error: unknown; retrying: boolean }): Promise<Emit[]> {
  const { message, error } = input;
  if (isE2eError(error)) {
    if (error.code === 'E2E_FUTURE_EPOCH') return buffer(state, message);
    if (error.code === 'E2E_BAD_CREDENTIAL' && error.problem === 'untrusted-identity' && message.kind === 'mls_commit') {
      // The group cannot go on without this commit: kept for after acceptIdentity, and reported (once).
      buffer(state, message);
      return input.retrying ? [] : [reportError(env, message, error)];
    }
    // A commit of this user's for an epoch left behind: replayed history of what this device already has.
    if (error.code === 'E2E_STALE_EPOCH' && message.kind === 'mls_commit' && fromOwnUser(env, message)) return [];
    // Read before (its state saved late): the archive has it.
    if (error.code === 'E2E_REPLAY' && (await env.archive.get(message.conv, message.seq))) return [];
  }
  return [reportError(env, message, error)];
}

async function receiveOne(env: E2eEnv, state: ConvState, input: { message: ChatMessage; retrying: boolean }): Promise<Emit[]> {
  const { message } = input;
  const group = state.group;
  if (!group) return [];
  let incoming: Incoming;
  try {
    incoming = await group.receive(fromBase64Url(message.text));
  } catch (error) {
    return onFailure(env, state, { ...input, error });
  }
  switch (incoming.kind) {
    case 'application':
      return onApplication(env, message, incoming);
    case 'commit': {
      const change = { conv: message.conv, epoch: incoming.epoch, added: refs(incoming.added), removed: refs(incoming.removed) };
      return [() => env.hooks.emit('e2e_group', change)];
    }
    case 'own-commit':
      return [];
  }
}

/** Buffered messages, again, as long as each round moves the group to a newer epoch. */
async function retryBuffered(env: E2eEnv, state: ConvState): Promise<Emit[]> {
  const emits: Emit[] = [];
  while (state.group && state.buffer.length > 0) {
    const before = state.group.epoch;
    const waiting = state.buffer.splice(0).sort((a, b) => a.seq - b.seq);
    for (const message of waiting) emits.push(...(await receiveOne(env, state, { message, retrying: true })));
    if (state.group.epoch === before) break;
  }
  for (const dropped of state.buffer.splice(0, Math.max(0, state.buffer.length - MAX_BUFFERED))) {
    emits.push(report(env, dropped, { code: 'E2E_FUTURE_EPOCH', message: 'The commit this message needs never came' }));
  }
  return emits;
}

async function processOne(env: E2eEnv, state: ConvState, message: ChatMessage): Promise<Emit[]> {
  learnPeer(env, state, message);
  if (!isMls(message) || !state.group || message.seq <= state.meta.joinedSeq) return [];
  // A redaction blanked it in the store (a message, never a commit): nothing to read, no epoch to move.
  if (message.kind === 'mls' && message.text === '') return [];
  const before = state.group.epoch;
  const emits = await receiveOne(env, state, { message, retrying: false });
  if (state.group.epoch !== before) emits.push(...(await retryBuffered(env, state)));
  return emits;
}

/**
 * Reads the conversation from history after `processed` (up to `until`): what this device missed
 * while away, the gap before a live message, or everything after a Welcome. Own messages and
 * messages seen already are skipped.
 */
export async function catchUp(env: E2eEnv, state: ConvState, until = Number.POSITIVE_INFINITY): Promise<void> {
  while (state.meta.processed < until) {
    const { messages } = await call(env, 'history', { with: state.meta.conv, after: state.meta.processed, limit: HISTORY_PAGE });
    const page = messages.filter((m) => m.seq > state.meta.processed && m.seq <= until);
    if (page.length === 0) {
      // The rest was deleted by retention, or the page ends the conversation.
      if (Number.isFinite(until)) state.meta.processed = until;
      break;
    }
    const emits: Emit[] = [];
    for (const message of page) {
      if (!done(state, message.seq)) emits.push(...(await processOne(env, state, message)));
      state.meta.processed = Math.max(state.meta.processed, message.seq);
    }
    await env.convs.save(state);
    for (const emit of emits) emit();
  }
}

/** A message for a conversation whose group this device is not (or no longer) in: its Welcome may be waiting. */
async function tryWelcome(env: E2eEnv, state: ConvState): Promise<boolean> {
  const last = lastWelcomeCheck.get(state) ?? 0;
  if (Date.now() - last < WELCOME_CHECK_MS) return false;
  lastWelcomeCheck.set(state, Date.now());
  try {
    const welcome = await pendingWelcome(env, state.meta.conv);
    return welcome !== undefined && (await joinWelcome(env, state, welcome));
  } catch (error) {
    // A device the server no longer knows (E2E_NO_DEVICE) simply has no Welcome.
    if (isTransient(error)) throw error;
    return false;
  }
}

/** One live, resumed or offline-delivered commit or encrypted message. */
export async function handleIncoming(env: E2eEnv, message: ChatMessage): Promise<void> {
  const state = await env.convs.get(message.conv);
  env.convs.settle(state);
  if (done(state, message.seq)) return;
  if (!state.group?.active) await tryWelcome(env, state);
  if (!state.group) {
    if (message.kind === 'mls') report(env, message, { code: 'E2E_NOT_MEMBER', message: "This device is not a member of the conversation's encrypted group" })();
    return;
  }
  if (done(state, message.seq)) return;
  if (message.seq > state.meta.processed + 1) await catchUp(env, state, message.seq - 1);
  const emits = await processOne(env, state, message);
  state.meta.processed = Math.max(state.meta.processed, message.seq);
  await env.convs.save(state);
  for (const emit of emits) emit();
}

/**
 * After the person accepted an identity key: the commits refused for it, and a Welcome whose
 * tree held it, are tried again.
 */
export async function resumeAfterTrust(env: E2eEnv, state: ConvState): Promise<void> {
  lastWelcomeCheck.delete(state);
  if (!state.group?.active && (await tryWelcome(env, state))) await catchUp(env, state);
  if (!state.group) return;
  const emits = await retryBuffered(env, state);
  await env.convs.save(state);
  for (const emit of emits) emit();
}
