import { describe, expect, it } from 'vitest';
import { Gate, SerialQueues } from './serial.ts';

describe('SerialQueues', () => {
  it('runs the tasks of one key one after another, even when one fails, and other keys alongside', async () => {
    const queues = new SerialQueues();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const first = queues.run('conv', async () => {
      log.push('a-start');
      await blocker;
      log.push('a-end');
      throw new Error('a failed');
    });
    const second = queues.run('conv', async () => void log.push('b'));
    const other = queues.run('other', async () => void log.push('other'));
    await other;
    expect(log).toEqual(['a-start', 'other']);
    release();
    await expect(first).rejects.toThrow('a failed');
    await second;
    expect(log).toEqual(['a-start', 'other', 'a-end', 'b']);
  });
});

describe('Gate', () => {
  it('waits until open, closes again on reset, fails with its error, and ends for good', async () => {
    const gate = new Gate();
    let opened = false;
    const waiting = gate.wait().then(() => (opened = true));
    await Promise.resolve();
    expect(opened).toBe(false);
    gate.open();
    await waiting;
    gate.reset();
    const failed = gate.wait();
    const settled = gate.settled();
    gate.fail(new Error('device removed'));
    await expect(failed).rejects.toThrow('device removed');
    await settled;
    gate.open();
    await gate.wait();
    gate.end(new Error('closed'));
    await expect(gate.wait()).rejects.toThrow('closed');
    await expect(gate.settled()).rejects.toThrow('closed');
  });
});
