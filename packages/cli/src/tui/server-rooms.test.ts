import { describe, expect, it } from 'vitest';
import { MAX_AGE_MS, ServerRooms } from './server-rooms.ts';

const summary = (name: string) => ({ name, topic: '', members: 1 });

describe('ServerRooms', () => {
  it('reads once for calls that overlap, and is fresh for MAX_AGE_MS', async () => {
    let reads = 0;
    const rooms = new ServerRooms(async () => (reads++, [summary('#design'), summary('#dev')]));
    expect(rooms.fresh(0)).toBe(false);
    await Promise.all([rooms.refresh(() => 1000), rooms.refresh(() => 1000)]);
    expect(reads).toBe(1);
    expect(rooms.names()).toEqual(['#design', '#dev']);
    expect(rooms.fresh(1000 + MAX_AGE_MS - 1)).toBe(true);
    expect(rooms.fresh(1000 + MAX_AGE_MS)).toBe(false);
    rooms.set([summary('#ops')], 5000);
    expect(rooms.names()).toEqual(['#ops']);
  });

  it('keeps the old names and stays stale when a read fails', async () => {
    let fail = false;
    const rooms = new ServerRooms(async () => {
      if (fail) throw new Error('offline');
      return [summary('#dev')];
    });
    await rooms.refresh(() => 0);
    fail = true;
    await rooms.refresh(() => MAX_AGE_MS + 1);
    expect(rooms.names()).toEqual(['#dev']);
    expect(rooms.fresh(MAX_AGE_MS + 1)).toBe(false);
  });
});
