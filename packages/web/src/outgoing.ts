import type { ClientReceipt, Committed } from '@parley/client';
import { foldName, splitServer, type MessageKind } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import { localId, type Conversation, type TimelineMessage } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { dropFailedStart } from './direct-conversation-views.ts';

export interface SendInput {
  kind?: MessageKind;
  /** Where the person was when a `/msg` opened `conv` (see dropFailedStart). */
  from?: Conversation;
  /** Sent unencrypted by the person's choice (e2e-tracker.ts). */
  plaintext?: boolean;
}

/**
 * Our own message, from the message box to its stored place: shown at once as sending, then
 * at the seq the server gave it. A room homed on another server (`#dev@b.example`) that has not
 * taken it yet answers `pending` (docs/federation.md, "Send"): the line says it waits for that
 * server until the SDK's `committed` (showCommitted) puts it in its place. If the first message
 * to someone fails (nobody has that name), the empty conversation goes and the error shows
 * where the person was.
 */
export async function sendMessage(store: ChatStore, conv: Conversation, { text, kind, from, plaintext = false }: SendInput & { text: string }): Promise<void> {
  if (text.trim() === '') return;
  const action = kind === 'action' ? { kind } : {};
  // A DM that could only go unencrypted waits for the person's choice (e2e-tracker.ts).
  if (!plaintext && store.e2e.holds(conv, { text, ...action })) return store.changed();
  const encrypted = !plaintext && store.e2e.encrypts(conv) ? { encrypted: true as const } : {};
  // The reply chosen in this conversation's composer goes with its next message (messaging.ts).
  const reply = kind === undefined ? store.messaging.takeReply(conv) : undefined;
  const replyTo = reply === undefined ? {} : { reply };
  store.messaging.stopTyping();
  const item: TimelineMessage = { type: 'message', id: localId(), seq: undefined, from: store.me, text, ts: Date.now(), mine: true, status: 'pending', ...(kind ? { kind } : {}), ...encrypted, ...replyTo };
  conv.add(item);
  store.changed();
  try {
    const [receipt] = await store.client.send(conv.address, text, { ...action, ...replyTo, ...(plaintext ? { plaintext: true } : {}) });
    if (receipt) {
      if (conv.kind === 'dm') store.noteConversationId(conv, receipt.conv);
      // A room's send is encrypted if the SDK knows by now that the room is (a refused plaintext send teaches it, and it resends).
      else if (store.e2e.encrypts(conv)) item.encrypted = true;
      received(conv, item, receipt);
    }
  } catch (error) {
    if (!plaintext && store.e2e.refused(conv, { item, error })) return store.changed();
    item.status = 'failed';
    // A guest who left: the server says so ("dave has left; guests cannot get messages while offline").
    item.error = describeError(error);
    if (conv.kind === 'dm' && conv.seqs.size === 0 && conv.items.every((i) => i === item || i.type === 'notice')) dropFailedStart(store, { conv, from, error });
  }
  store.changed();
}

/** A stored receipt puts the line at its seq; a pending one (seq 0, which is no place) leaves it waiting for the room's home. */
function received(conv: Conversation, item: TimelineMessage, receipt: ClientReceipt): void {
  item.cmid = receipt.cmid;
  if (!receipt.pending) return conv.confirm(item, receipt.seq);
  item.status = 'waiting';
  item.waitingFor = splitServer(conv.target).server ?? '';
}

/** The SDK's `committed`: a message of ours that waited for its room's home is stored now, at the home's seq. */
export function showCommitted(store: ChatStore, { cmid, receipt, message }: Committed): void {
  const conv = store.conversations.get(`room:${foldName(receipt.to)}`);
  if (!conv) return;
  const item = conv.waiting(cmid);
  if (item) conv.confirm(item, receipt.seq);
  else conv.addStored({ type: 'message', id: `${message.conv}:${message.seq}`, seq: message.seq, from: message.from, text: message.text, ts: message.ts, mine: true, status: 'sent', cmid, ...(message.kind ? { kind: message.kind } : {}) });
  store.changed();
}
