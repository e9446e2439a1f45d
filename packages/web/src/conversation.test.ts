import { describe, expect, it } from 'vitest';
import { Conversation, type TimelineMessage } from './conversation.ts';

const stored = (seq: number, from = 'bob'): TimelineMessage & { seq: number } => ({ type: 'message', id: `m${seq}`, seq, from, text: `text ${seq}`, ts: seq, mine: false, status: 'sent' });
const seqs = (conv: Conversation) => conv.items.map((item) => (item.type === 'message' ? (item.seq ?? 'pending') : 'notice'));

describe('Conversation', () => {
  it('keeps messages in seq order and each seq once, whatever order pages and live events come in', () => {
    const conv = new Conversation('room:#a', 'room', '#a');
    for (const seq of [5, 6, 7]) conv.addStored(stored(seq));
    expect(conv.addStored(stored(6))).toBe(false);
    for (const seq of [1, 2, 3, 4, 5]) conv.addStored(stored(seq)); // an older history page, overlapping
    conv.addStored(stored(9));
    conv.addStored(stored(8)); // a replay after a reconnect
    expect(seqs(conv)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(conv.oldestSeq).toBe(1);
  });

  it('keeps our unconfirmed sends at the bottom, and moves each to its seq once stored', () => {
    const conv = new Conversation('room:#a', 'room', '#a');
    conv.addStored(stored(1));
    const mine: TimelineMessage = { type: 'message', id: 'local', seq: undefined, from: 'me', text: 'hi', ts: 2, mine: true, status: 'pending' };
    conv.add(mine);
    conv.addStored(stored(2)); // someone else's message stored before ours
    expect(seqs(conv)).toEqual([1, 2, 'pending']);
    conv.confirm(mine, 3);
    expect(seqs(conv)).toEqual([1, 2, 3]);
    expect(conv.items.at(-1)).toMatchObject({ status: 'sent', text: 'hi' });
  });

  it('a send waiting for its room\'s home stays at the bottom until committed, or until history brings it by its cmid', () => {
    const conv = new Conversation('room:#a@b.test', 'room', '#a@b.test');
    conv.addStored(stored(1));
    const waiting = (cmid: string): TimelineMessage => ({ type: 'message', id: `local-${cmid}`, seq: undefined, from: 'me', text: cmid, ts: 2, mine: true, status: 'waiting', waitingFor: 'b.test', cmid });
    const [first, second] = [waiting('c1'), waiting('c2')];
    conv.add(first);
    conv.add(second);
    conv.addStored(stored(2));
    expect(seqs(conv)).toEqual([1, 2, 'pending', 'pending']);
    expect(conv.waiting('c1')).toBe(first);
    conv.confirm(first, 3);
    expect(conv.items[2]).toEqual({ type: 'message', id: 'local-c1', seq: 3, from: 'me', text: 'c1', ts: 2, mine: true, status: 'sent', cmid: 'c1' });
    // A history page (or the event) with the other one: it replaces the waiting line, once.
    conv.addStored({ ...stored(4, 'me'), mine: true, cmid: 'c2' });
    expect(seqs(conv)).toEqual([1, 2, 3, 4]);
    expect(conv.waiting('c2')).toBeUndefined();
  });

  it('puts a live message after the notices already shown', () => {
    const conv = new Conversation('room:#a', 'room', '#a');
    conv.addStored(stored(1));
    conv.add({ type: 'notice', id: 'n', ts: 2, text: 'bob joined', tone: 'info' });
    conv.addStored(stored(2));
    expect(seqs(conv)).toEqual([1, 'notice', 2]);
  });

  it('a "could not be decrypted" line gives way to the message at its seq; a page of group changes still moves history back', () => {
    const conv = new Conversation('dm:bob', 'dm', 'bob');
    conv.addStored({ ...stored(4, ''), text: '', sealed: 'undecryptable', error: 'E2E_DECRYPT_FAILED' });
    expect(conv.addStored({ ...stored(4), sealed: 'undecryptable' })).toBe(false);
    expect(conv.addStored({ ...stored(4), encrypted: true })).toBe(true);
    expect(conv.items).toMatchObject([{ seq: 4, text: 'text 4', encrypted: true }]);
    expect(conv.addStored({ ...stored(4), encrypted: true })).toBe(false);
    expect(conv.oldestSeq).toBe(4);
    conv.oldestRead = 2;
    expect(conv.oldestSeq).toBe(2);
  });
});

