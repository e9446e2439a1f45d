import { afterEach, describe, expect, it, vi } from 'vitest';
import { Flusher, OutboundQueue, type ByteSink } from './outbound.ts';

/** A socket stand-in that records each write: what matters here is how many and in what order. */
class RecordingSink implements ByteSink {
  readonly writes: string[] = [];
  readonly writableLength = 0;
  readonly destroyed = false;
  write(chunk: Uint8Array): boolean {
    this.writes.push(Buffer.from(chunk).toString());
    return true;
  }
  cork(): void {}
  uncork(): void {}
  once(): this {
    return this;
  }
  off(): this {
    return this;
  }
}

function queue(flusher: Flusher): { sink: RecordingSink; queue: OutboundQueue } {
  const sink = new RecordingSink();
  return { sink, queue: new OutboundQueue({ sink, capBytes: 1 << 20, owner: { overflowed: () => undefined }, flusher }) };
}

const bytes = (text: string) => Buffer.from(text);

// Fake timers: setImmediate (this turn's flush) and the lazy timer run exactly when the test says.
afterEach(() => {
  vi.useRealTimers();
});

describe('OutboundQueue', () => {
  it('writes what one turn queued in one write', () => {
    vi.useFakeTimers();
    const flusher = new Flusher();
    const { sink, queue: q } = queue(flusher);
    q.push(bytes('a'));
    q.push(bytes('b'));
    vi.advanceTimersByTime(0);
    expect(sink.writes).toEqual(['ab']);
  });

  it('holds lazy chunks for one later write, shared by every lazy queue', () => {
    vi.useFakeTimers();
    const flusher = new Flusher();
    const [one, two] = [queue(flusher), queue(flusher)];
    for (const { queue: q } of [one, two]) {
      q.push(bytes('join1 '), true);
      q.push(bytes('join2'), true);
    }
    vi.advanceTimersByTime(100);
    expect(flusher.writes).toBe(0);
    vi.advanceTimersByTime(200);
    expect([one.sink.writes, two.sink.writes]).toEqual([['join1 join2'], ['join1 join2']]);
    expect(flusher.writes).toBe(2);
  });

  it('sends lazy chunks with the next urgent one, in order, and not again', () => {
    vi.useFakeTimers();
    const flusher = new Flusher();
    const { sink, queue: q } = queue(flusher);
    q.push(bytes('join '), true);
    q.push(bytes('message'));
    vi.advanceTimersByTime(0);
    expect(sink.writes).toEqual(['join message']);
    // The lazy timer still fires; it must find nothing left to write.
    vi.advanceTimersByTime(300);
    expect(sink.writes).toEqual(['join message']);
  });
});
