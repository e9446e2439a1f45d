import { describe, expect, it } from 'vitest';
import { ClusterRoster, type RemoteUser } from './cluster-roster.ts';

const user = (id: string, name: string, rooms: string[] = []): RemoteUser => ({ id, name, kind: id.startsWith('a') ? 'account' : 'guest', status: 'online', rooms });

describe('ClusterRoster', () => {
  it('finds a remote user by any spelling of its name, and forgets the old name after a rename', () => {
    const roster = new ClusterRoster();
    roster.apply({ op: 'snapshot', node: 'n2', version: 1, users: [user('g1', 'Alice'), user('a7', 'bob')] }, 0);
    expect(roster.findByName('alice')?.id).toBe('g1');
    expect(roster.findByName('BOB')?.id).toBe('a7');
    expect(roster.apply({ op: 'set', node: 'n2', version: 2, user: user('g1', 'carol') }, 0)).toBe(true);
    expect(roster.findByName('alice')).toBeUndefined();
    expect(roster.findByName('Carol')?.id).toBe('g1');
  });

  it('keeps a name that another user took in a later delta when the first one leaves', () => {
    const roster = new ClusterRoster();
    roster.apply({ op: 'snapshot', node: 'n2', version: 1, users: [user('g1', 'dave')] }, 0);
    roster.apply({ op: 'set', node: 'n2', version: 2, user: user('g1', 'erin') }, 0);
    roster.apply({ op: 'set', node: 'n2', version: 3, user: user('g2', 'dave') }, 0);
    roster.apply({ op: 'remove', node: 'n2', version: 4, id: 'g1' }, 0);
    expect(roster.findByName('dave')?.id).toBe('g2');
    expect(roster.findByName('erin')).toBeUndefined();
  });

  it('looks on every node, drops a node and its names when it expires, and a snapshot replaces the names', () => {
    const roster = new ClusterRoster();
    roster.apply({ op: 'snapshot', node: 'n2', version: 1, users: [user('g1', 'frank')] }, 0);
    roster.apply({ op: 'snapshot', node: 'n3', version: 1, users: [user('g2', 'grace')] }, 1000);
    expect(roster.findByName('frank')?.id).toBe('g1');
    expect(roster.findByName('grace')?.id).toBe('g2');
    expect(roster.expire(1500, 1000).map((gone) => gone.node)).toEqual(['n2']);
    expect(roster.findByName('frank')).toBeUndefined();
    roster.apply({ op: 'snapshot', node: 'n3', version: 5, users: [user('g3', 'heidi')] }, 1600);
    expect(roster.findByName('grace')).toBeUndefined();
    expect(roster.findByName('heidi')?.id).toBe('g3');
  });

  it('ignores a delta that skips a version (the caller asks for a snapshot)', () => {
    const roster = new ClusterRoster();
    roster.apply({ op: 'snapshot', node: 'n2', version: 1, users: [] }, 0);
    expect(roster.apply({ op: 'set', node: 'n2', version: 3, user: user('g1', 'ivan') }, 0)).toBe(false);
    expect(roster.findByName('ivan')).toBeUndefined();
  });
});
