import { describe, expect, it } from 'vitest';
import type { PeerRecord, RemoteMemberRecord } from '../federation-store.ts';
import type { NewMessage } from '../store.ts';
import { StoreError } from '../store.ts';
import { useFederationStore } from './sqlite-federation-fixture.ts';

const peer = (id: string, name: string, extra: Partial<PeerRecord> = {}): PeerRecord => ({ id, name, addresses: [`${name}:30303`], lastSeen: 100, denied: false, ...extra });
const member = (userId: string, conv = '#dev'): RemoteMemberRecord => ({ conv, userId, name: `${userId.split('@')[0]}@b.example`, server: 'ps1b' });
const outboxEntry = (sub: number) => ({ sub, conv: '#dev@b.example', submission: `{"sub":${sub}}`, createdAt: sub * 1000 });

describe('SQLite federation store: peers, rooms, followers, members, outbox, events', () => {
  const t = useFederationStore();

  it('outbox: addOutbox is idempotent on sub, entries come back ordered by sub, removeOutbox takes one out', async () => {
    await t.fed.addOutbox(outboxEntry(7));
    await t.fed.addOutbox(outboxEntry(2));
    await t.fed.addOutbox(outboxEntry(5));
    // The same sub again (a resend after a crash) keeps the first entry.
    await t.fed.addOutbox({ ...outboxEntry(2), submission: '{"changed":true}', createdAt: 1 });
    expect(await t.fed.outbox()).toEqual([outboxEntry(2), outboxEntry(5), outboxEntry(7)]);

    await t.fed.removeOutbox(5);
    await t.fed.removeOutbox(404);
    expect((await t.fed.outbox()).map((e) => e.sub)).toEqual([2, 7]);
    await t.reopen();
    expect(await t.fed.outbox()).toEqual([outboxEntry(2), outboxEntry(7)]);
  });

  it('peers: savePeer upserts by id, and round trips every field across a reopen', async () => {
    await t.fed.savePeer(peer('ps1b', 'b.example'));
    await t.fed.savePeer(peer('ps1a', 'a.example', { denied: true }));
    const updated = peer('ps1b', 'b2.example', { addresses: ['10.0.0.2:30303', 'b.example:30303'], lastSeen: 200, denied: true });
    await t.fed.savePeer(updated);
    // Ordered by name.
    expect(await t.fed.peers()).toEqual([peer('ps1a', 'a.example', { denied: true }), updated]);
    await t.fed.savePeer({ ...updated, denied: false });
    await t.reopen();
    expect(await t.fed.peers()).toEqual([peer('ps1a', 'a.example', { denied: true }), { ...updated, denied: false }]);
  });

  it('peers: a second id under a name another id holds rejects with a conflict and changes nothing', async () => {
    await t.fed.savePeer(peer('ps1b', 'b.example'));
    const error = await t.fed.savePeer(peer('ps1impostor', 'b.example')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'conflict' });
    // Renaming a known id onto a name another id holds is refused the same way.
    await t.fed.savePeer(peer('ps1c', 'c.example'));
    await expect(t.fed.savePeer(peer('ps1c', 'b.example'))).rejects.toMatchObject({ name: 'StoreError', code: 'conflict' });
    expect(await t.fed.peers()).toEqual([peer('ps1b', 'b.example'), peer('ps1c', 'c.example')]);
  });

  it('mirrored rooms: round trip, and a second save keeps the first start', async () => {
    await t.fed.saveMirroredRoom({ conv: '#dev@b.example', home: 'ps1b', room: '#dev', start: 56 });
    await t.fed.saveMirroredRoom({ conv: '#ops@c.example', home: 'ps1c', room: '#ops', start: 0 });
    await t.fed.saveMirroredRoom({ conv: '#dev@b.example', home: 'ps1b', room: '#dev', start: 90 });
    await t.reopen();
    const rooms = await t.fed.mirroredRooms();
    expect(rooms.sort((x, y) => x.conv.localeCompare(y.conv))).toEqual([
      { conv: '#dev@b.example', home: 'ps1b', room: '#dev', start: 56 },
      { conv: '#ops@c.example', home: 'ps1c', room: '#ops', start: 0 },
    ]);
  });

  it('followers: set on is idempotent, off removes one, per conversation', async () => {
    await t.fed.setFollower('#dev', 'ps1b', true);
    await t.fed.setFollower('#dev', 'ps1c', true);
    await t.fed.setFollower('#dev', 'ps1b', true);
    await t.fed.setFollower('#ops', 'ps1b', true);
    await t.fed.setFollower('#ops', 'ps1b', false);
    await t.fed.setFollower('#dev', 'ps1nobody', false);
    await t.reopen();
    const followers = await t.fed.followers();
    expect([...followers.keys()]).toEqual(['#dev']);
    expect(followers.get('#dev')?.sort()).toEqual(['ps1b', 'ps1c']);
  });

  it('remote members: on replaces the record of the same (conv, user), off removes it', async () => {
    await t.fed.setRemoteMember(member('u1@ps1b'), true);
    await t.fed.setRemoteMember(member('u2@ps1b'), true);
    await t.fed.setRemoteMember(member('u1@ps1b', '#ops'), true);
    await t.fed.setRemoteMember({ ...member('u1@ps1b'), name: 'renamed@b.example' }, true);
    await t.fed.setRemoteMember(member('u2@ps1b'), false);
    await t.reopen();
    const members = await t.fed.remoteMembers();
    expect(members.sort((x, y) => x.conv.localeCompare(y.conv))).toEqual([{ ...member('u1@ps1b'), name: 'renamed@b.example' }, member('u1@ps1b', '#ops')]);
  });

  it('eventsAfter pages ascending from after, at most limit; eventOfSubmission finds an event by (origin, sub)', async () => {
    const conv = '#dev@b.example';
    const message = (seq: number): NewMessage => ({ conv, senderId: 'u7@ps1b', senderName: 'bob@b.example', target: conv, text: `m${seq}`, createdAt: seq });
    for (let seq = 20; seq <= 26; seq++) {
      await t.fed.appendReplica({ conv, seq, origin: seq % 2 === 0 ? 'ps1b' : 'ps1c', sub: seq, hash: `h${seq}`, envelope: `{"seq":${seq}}` }, message(seq));
    }
    expect((await t.fed.eventsAfter(conv, 0, 3)).map((e) => e.seq)).toEqual([20, 21, 22]);
    expect((await t.fed.eventsAfter(conv, 22, 3)).map((e) => e.seq)).toEqual([23, 24, 25]);
    expect((await t.fed.eventsAfter(conv, 25, 3)).map((e) => e.seq)).toEqual([26]);
    expect(await t.fed.eventsAfter(conv, 26, 3)).toEqual([]);
    expect(await t.fed.eventsAfter('#other', 0, 3)).toEqual([]);

    expect(await t.fed.eventOfSubmission('ps1c', 23)).toEqual({ conv, seq: 23, origin: 'ps1c', sub: 23, hash: 'h23', envelope: '{"seq":23}' });
    // The sub alone is not enough: it is per origin.
    expect(await t.fed.eventOfSubmission('ps1b', 23)).toBeUndefined();
    await t.reopen();
    expect((await t.fed.eventOfSubmission('ps1b', 24))?.seq).toBe(24);
    expect(await t.fed.lastEventSeq(conv)).toBe(26);
  });

  it('nextSub never repeats, across a reopen', async () => {
    const first = [await t.fed.nextSub(), await t.fed.nextSub()];
    await t.reopen();
    const second = await t.fed.nextSub();
    expect(first[1]).toBeGreaterThan(first[0]!);
    expect(second).toBeGreaterThan(first[1]!);
  });

  it('a call after close rejects as unavailable', async () => {
    await t.store.close();
    await expect(t.fed.outbox()).rejects.toMatchObject({ code: 'unavailable' });
    await t.reopen();
  });
});
