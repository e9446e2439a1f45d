import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@parley/protocol';
import { ParleyClientError } from './errors.ts';
import { PendingSends, type ClientReceipt } from './pending-sends.ts';

const pending: ClientReceipt = { to: '#dev@b.test', conv: '#dev@b.test', seq: 0, duplicate: false, pending: true, cmid: 'c1' };
const message = (seq: number, cmid?: string): ChatMessage => ({ conv: '#dev@b.test', seq, from: 'alice', to: '#dev@b.test', text: 'hi', ts: 1, ...(cmid ? { cmid } : {}) });
const nothingInOutbox = () => false;

describe('PendingSends', () => {
  it('keeps a pending receipt until its message comes, then gives the stored receipt once', async () => {
    const sends = new PendingSends();
    expect(sends.settle(pending)).toBe(pending);
    const stored = sends.stored(pending);
    expect(sends.own(message(7, 'other'), nothingInOutbox)).toBeUndefined();
    expect(sends.own(message(7), nothingInOutbox)).toBeUndefined();
    const committed = sends.own(message(8, 'c1'), nothingInOutbox);
    const receipt = { to: '#dev@b.test', conv: '#dev@b.test', seq: 8, duplicate: false, cmid: 'c1' };
    expect(committed).toEqual({ cmid: 'c1', receipt, message: message(8, 'c1') });
    expect(await stored).toEqual(receipt);
    // Asked after the event: the same answer. The message is not its commit a second time.
    expect(await sends.stored(pending)).toEqual(receipt);
    expect(sends.own(message(8, 'c1'), nothingInOutbox)).toBeUndefined();
    expect(sends.size).toBe(0);
  });

  it('a stored receipt passes through and is its own answer', async () => {
    const sends = new PendingSends();
    const receipt: ClientReceipt = { to: '#dev', conv: '#dev', seq: 3, duplicate: false, cmid: 'c2' };
    expect(sends.settle(receipt)).toBe(receipt);
    expect(await sends.stored(receipt)).toBe(receipt);
    expect(sends.size).toBe(0);
  });

  it('a message that overtakes its pending reply (still in the outbox) turns that reply into the stored receipt', () => {
    const sends = new PendingSends();
    expect(sends.own(message(5, 'c1'), (cmid) => cmid === 'c1')).toBe('early');
    expect(sends.settle(pending)).toEqual({ to: '#dev@b.test', conv: '#dev@b.test', seq: 5, duplicate: false, cmid: 'c1' });
    expect(sends.size).toBe(0);
  });

  it('waiters hear why when the client ends', async () => {
    const sends = new PendingSends();
    sends.settle(pending);
    const stored = sends.stored(pending);
    sends.rejectAll(ParleyClientError.local('CLOSED', 'closed'));
    await expect(stored).rejects.toMatchObject({ errorName: 'CLOSED' });
  });
});
