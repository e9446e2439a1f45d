import { describe, expect, it } from 'vitest';
import { SendOrder } from './send-order.ts';

/** A send that completes when told to, recording when it started. */
function deferred(log: string[], name: string) {
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  return { start: () => (log.push(`start ${name}`), finished.then(() => log.push(`done ${name}`))), done: () => done() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SendOrder', () => {
  it('starts sends on the same path at once, and one on the other path after those settled', async () => {
    const log: string[] = [];
    const order = new SendOrder();
    const room1 = deferred(log, 'room1');
    const room2 = deferred(log, 'room2');
    const dm = deferred(log, 'dm');
    const room3 = deferred(log, 'room3');
    void order.run('outbox', room1.start);
    void order.run('outbox', room2.start);
    void order.run('e2e', dm.start);
    void order.run('outbox', room3.start);
    await tick();
    expect(log).toEqual(['start room1', 'start room2']);
    room1.done();
    room2.done();
    await tick();
    expect(log).toEqual(['start room1', 'start room2', 'done room1', 'done room2', 'start dm']);
    dm.done();
    await tick();
    expect(log.slice(-2)).toEqual(['done dm', 'start room3']);
    room3.done();
    await order.idle();
    expect(log.at(-1)).toBe('done room3');
  });

  it('goes on after a refused send', async () => {
    const order = new SendOrder();
    await expect(order.run('e2e', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(order.run('outbox', async () => 'sent')).resolves.toBe('sent');
    await order.idle();
  });
});
