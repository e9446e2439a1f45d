import { describe, expect, it } from 'vitest';
import type { Store } from '@parley/server';

/**
 * The moderation part of the Store contract: server roles, bans, the audit log,
 * disabled commands, room modes and grants, and the moderation version other processes poll.
 * Called from describeStoreConformance with the same per-test store, so every implementation
 * that runs the main suite runs this too.
 */
export function describeModerationConformance(current: () => Store): void {
  describe('moderation', () => {
    const room = { key: '#mod', name: '#Mod', topic: '', createdBy: 'a1' };

    it('stores, replaces and removes server roles, raising the moderation version', async () => {
      const store = current();
      const alice = await store.createAccount({ name: 'Alice', nameKey: 'alice', passwordHash: 'h' });
      const v0 = await store.moderationVersion();
      expect(await store.listServerRoles()).toEqual([]);
      await store.setServerRole(alice.id, 'operator', 'admin');
      const v1 = await store.moderationVersion();
      expect(v1).toBeGreaterThan(v0);
      expect(await store.listServerRoles()).toMatchObject([{ accountId: alice.id, name: 'Alice', role: 'operator', grantedBy: 'admin' }]);
      await store.setServerRole(alice.id, 'owner', 'server');
      expect((await store.listServerRoles()).map((r) => r.role)).toEqual(['owner']);
      await store.setServerRole(alice.id, null, 'admin');
      expect(await store.listServerRoles()).toEqual([]);
      expect(await store.moderationVersion()).toBeGreaterThan(v1);
    });

    it('adds bans, replaces a ban of the same target, filters by scope and expiry, removes them', async () => {
      const store = current();
      const v0 = await store.moderationVersion();
      const first = await store.addBan({ scope: 'server', kind: 'account', value: 'mallory', reason: 'spam', createdBy: 'alice', expiresAt: null });
      expect(first).toMatchObject({ scope: 'server', kind: 'account', value: 'mallory', reason: 'spam', createdBy: 'alice', expiresAt: null });
      expect(typeof first.id).toBe('number');
      expect(typeof first.createdAt).toBe('number');
      await store.addBan({ scope: 'server', kind: 'ip', value: '10.0.0.0/8', reason: '', createdBy: 'alice', expiresAt: 1000 });
      await store.addBan({ scope: '#mod', kind: 'key', value: 'SHA256:abcdefgh', reason: 'room', createdBy: 'bob', expiresAt: null });
      const replaced = await store.addBan({ scope: 'server', kind: 'account', value: 'mallory', reason: 'worse', createdBy: 'bob', expiresAt: 5000 });
      expect(replaced).toMatchObject({ reason: 'worse', createdBy: 'bob', expiresAt: 5000 });
      expect(await store.moderationVersion()).toBeGreaterThan(v0);

      expect((await store.listBans()).map((b) => b.value)).toEqual(['mallory', '10.0.0.0/8', 'SHA256:abcdefgh']);
      expect((await store.listBans({ scope: 'server' })).map((b) => b.value)).toEqual(['mallory', '10.0.0.0/8']);
      expect((await store.listBans({ now: 2000 })).map((b) => b.value)).toEqual(['mallory', 'SHA256:abcdefgh']);
      expect((await store.listBans({ now: 5000 })).map((b) => b.value)).toEqual(['SHA256:abcdefgh']);

      expect(await store.removeBan('server', 'account', 'mallory')).toBe(true);
      expect(await store.removeBan('server', 'account', 'mallory')).toBe(false);
      expect(await store.removeBan('#other', 'key', 'SHA256:abcdefgh')).toBe(false);
      expect((await store.listBans()).map((b) => b.value)).toEqual(['10.0.0.0/8', 'SHA256:abcdefgh']);
    });

    it('deletes expired bans only', async () => {
      const store = current();
      const base = { scope: 'server', kind: 'account' as const, reason: '', createdBy: 'op' };
      await store.addBan({ ...base, value: 'gone', expiresAt: 1000 });
      await store.addBan({ ...base, value: 'later', expiresAt: 9000 });
      await store.addBan({ ...base, value: 'forever', expiresAt: null });
      expect(await store.deleteExpiredBans(1000)).toBe(1);
      expect(await store.deleteExpiredBans(1000)).toBe(0);
      expect((await store.listBans()).map((b) => b.value)).toEqual(['later', 'forever']);
    });

    it('prunes audit entries older than a time', async () => {
      const store = current();
      for (const at of [100, 200, 300]) await store.appendAudit({ at, actor: 'a', action: 'login.failed', target: `t${at}`, detail: '' });
      expect(await store.deleteAuditBefore(250)).toBe(2);
      expect((await store.listAudit({ limit: 10 })).map((e) => e.target)).toEqual(['t300']);
    });

    it('appends audit entries with increasing ids and pages them newest first', async () => {
      const store = current();
      const ids: number[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await store.appendAudit({ at: i, actor: 'alice', action: 'kick', target: `u${i}`, detail: '' })).id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const newest = await store.listAudit({ limit: 2 });
      expect(newest.map((e) => e.target)).toEqual(['u5', 'u4']);
      expect(newest[0]).toEqual({ id: ids[4], at: 5, actor: 'alice', action: 'kick', target: 'u5', detail: '' });
      expect((await store.listAudit({ limit: 10, before: newest[1]!.id })).map((e) => e.target)).toEqual(['u3', 'u2', 'u1']);
      expect(await store.listAudit({ limit: 0 })).toEqual([]);
    });

    it('disables and enables commands idempotently', async () => {
      const store = current();
      const v0 = await store.moderationVersion();
      await store.setCommandDisabled('nick', true, 'alice');
      await store.setCommandDisabled('nick', true, 'alice');
      await store.setCommandDisabled('create', true, 'alice');
      expect(await store.listDisabledCommands()).toEqual(['create', 'nick']);
      await store.setCommandDisabled('nick', false, 'alice');
      await store.setCommandDisabled('nick', false, 'alice');
      expect(await store.listDisabledCommands()).toEqual(['create']);
      expect(await store.moderationVersion()).toBeGreaterThan(v0);
    });

    it('stores room modes with the room; a new room has none', async () => {
      const store = current();
      const created = await store.createRoom(room);
      expect(created.modes).toEqual({ inviteOnly: false, passwordHash: '', moderated: false, topicLock: false, encrypted: false });
      const modes = { inviteOnly: true, passwordHash: '$scrypt$x', moderated: true, topicLock: true, encrypted: true };
      await store.setRoomModes('#mod', modes);
      await store.setRoomModes('#missing', modes);
      expect((await store.listRooms()).map((r) => r.modes)).toEqual([modes]);
    });

    it('stores room grants idempotently and drops them with their room', async () => {
      const store = current();
      await store.createRoom(room);
      await store.createRoom({ ...room, key: '#two', name: '#two' });
      await store.setRoomGrant({ roomKey: '#mod', userId: 'a2', kind: 'moderator', grantedBy: 'alice' }, true);
      await store.setRoomGrant({ roomKey: '#mod', userId: 'a2', kind: 'moderator', grantedBy: 'alice' }, true);
      await store.setRoomGrant({ roomKey: '#mod', userId: 'a3', kind: 'muted', grantedBy: 'alice' }, true);
      await store.setRoomGrant({ roomKey: '#two', userId: 'a3', kind: 'invited', grantedBy: 'bob' }, true);
      await store.setRoomGrant({ roomKey: '#nowhere', userId: 'a3', kind: 'invited', grantedBy: 'bob' }, true);
      expect((await store.listRoomGrants()).map((g) => [g.roomKey, g.userId, g.kind])).toEqual([
        ['#mod', 'a2', 'moderator'],
        ['#mod', 'a3', 'muted'],
        ['#two', 'a3', 'invited'],
      ]);
      expect(await store.listRoomGrants('#two')).toMatchObject([{ roomKey: '#two', userId: 'a3', kind: 'invited', grantedBy: 'bob' }]);
      await store.setRoomGrant({ roomKey: '#mod', userId: 'a3', kind: 'muted', grantedBy: 'alice' }, false);
      expect((await store.listRoomGrants('#mod')).map((g) => g.kind)).toEqual(['moderator']);
      await store.deleteRoom('#mod');
      expect((await store.listRoomGrants()).map((g) => g.roomKey)).toEqual(['#two']);
    });

    it('reports a positive size', async () => {
      const store = current();
      await store.appendAudit({ at: 1, actor: 'a', action: 'b', target: 'c', detail: 'd' });
      expect(await store.sizeBytes()).toBeGreaterThan(0);
    });
  });
}
