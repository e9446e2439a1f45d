import { describe, expect, it } from 'vitest';
import { RoomEncryption } from './room-encryption.ts';

describe('RoomEncryption', () => {
  it('knows a room by its folded name, from a summary, a mode change or a plain note', () => {
    let changes = 0;
    const rooms = new RoomEncryption(() => (changes += 1));
    rooms.noteSummary({ name: '#Secret', encrypted: true });
    expect(rooms.has('#secret')).toBe(true);
    expect(rooms.has('#SECRET')).toBe(true);
    rooms.noteModes('#team', { encrypted: true });
    rooms.note('#other', false);
    expect([rooms.has('#team'), rooms.has('#other')]).toEqual([true, false]);
    expect(changes).toBe(2);
  });

  it('tells the page only about a change: the login, a join and the SDK saying the same thing again is quiet', () => {
    let changes = 0;
    const rooms = new RoomEncryption(() => (changes += 1));
    rooms.noteSummary({ name: '#den', encrypted: true });
    rooms.note('#den', true);
    rooms.noteModes('#den', { encrypted: true });
    expect(changes).toBe(1);
  });

  it('takes a newer summary without `encrypted` as plain: a room deleted and made again under its name starts so', () => {
    const rooms = new RoomEncryption(() => undefined);
    rooms.noteSummary({ name: '#den', encrypted: true });
    rooms.noteSummary({ name: '#den' });
    expect(rooms.has('#den')).toBe(false);
  });
});
