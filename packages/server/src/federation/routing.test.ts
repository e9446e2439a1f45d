import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { Routes, signAnnouncement, type Announcement, type RouteEntry } from './routing.ts';
import { ephemeralServerIdentity, type ServerIdentity } from './server-identity.ts';

interface Server {
  identity: ServerIdentity;
  name: string;
}

const server = (name: string): Server => ({ identity: ephemeralServerIdentity(), name });
const announce = (s: Server, ts = 1): Announcement => signAnnouncement(s.identity, { name: s.name, addresses: [`${s.name}:30303`], ts });
/** Lets Routes' deferred `changed` (setImmediate) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const self = server('self.example');
const selfAnnouncement = announce(self);

describe('Routes', () => {
  let routes: Routes;
  /**
   * What this test's Routes was told and did. A fresh object per test: a Routes of an earlier
   * test may still have a `changed` pending (setImmediate), and must not count towards this one.
   */
  let t: { hopLimit: number; denied: Set<string>; taken: Set<string>; learned: string[]; changed: number; warnings: string[] };

  beforeEach(() => {
    const state: typeof t = { hopLimit: 10, denied: new Set(), taken: new Set(), learned: [], changed: 0, warnings: [] };
    t = state;
    const log = pino({ level: 'warn' }, { write: (line: string) => void state.warnings.push(line) });
    routes = new Routes({
      self: () => selfAnnouncement,
      hopLimit: () => state.hopLimit,
      isDenied: (id) => state.denied.has(id),
      learned: (a) => {
        if (state.taken.has(a.name)) return false;
        state.learned.push(a.id);
        return true;
      },
      changed: () => void state.changed++,
      log,
    });
  });

  /** `peer` advertises itself and `others` as [server, hops from it]. */
  const advertise = (peer: Server, others: [Server | Announcement, number][] = []): void => {
    const list: RouteEntry[] = [{ hops: 0, a: announce(peer) }, ...others.map(([s, hops]) => ({ hops, a: 'sig' in s ? s : announce(s) }))];
    routes.received(peer.identity.id, list);
  };
  const link = (...peers: Server[]): void => {
    for (const peer of peers) {
      routes.linkUp(peer.identity.id);
      advertise(peer);
    }
  };
  const ids = (list: RouteEntry[]): string[] => list.map((e) => e.a.id);

  const [low, high] = [server('n1.example'), server('n2.example')].sort((x, y) => (x.identity.id < y.identity.id ? -1 : 1)) as [Server, Server];
  const far = server('far.example');
  const farther = server('farther.example');

  it('sends to a linked server directly, even before it advertised, and whatever others claim', () => {
    routes.linkUp(high.identity.id);
    expect(routes.nextHop(high.identity.id)).toBe(high.identity.id);
    expect(routes.hopsTo(high.identity.id)).toBe(1);
    link(low);
    // The smaller neighbor claims the larger one at 0 hops (1 from here, a tie it would win): the
    // direct link still is the route, and so the larger one is still advertised to the smaller.
    advertise(low, [[high, 0]]);
    expect(routes.nextHop(high.identity.id)).toBe(high.identity.id);
    expect(routes.reachable()).toEqual(
      expect.arrayContaining([
        { id: low.identity.id, hops: 1, via: low.identity.id },
        { id: high.identity.id, hops: 1, via: high.identity.id },
      ]),
    );
    expect(ids(routes.advertisement(low.identity.id))).toContain(high.identity.id);
    advertise(high, [[low, 0]]);
    expect(routes.nextHop(low.identity.id)).toBe(low.identity.id);
    expect(routes.hopsTo(low.identity.id)).toBe(1);
  });

  it('reaches a server two or three hops away through the neighbor that advertised it', () => {
    link(low);
    expect(routes.nextHop(far.identity.id)).toBeUndefined();
    advertise(low, [
      [far, 1],
      [farther, 2],
    ]);
    expect(routes.nextHop(far.identity.id)).toBe(low.identity.id);
    expect(routes.hopsTo(far.identity.id)).toBe(2);
    expect(routes.nextHop(farther.identity.id)).toBe(low.identity.id);
    expect(routes.hopsTo(farther.identity.id)).toBe(3);
    expect(routes.announcement(far.identity.id)).toEqual(announce(far));
  });

  it('takes the shortest route', () => {
    link(low, high);
    advertise(low, [[far, 3]]);
    advertise(high, [[far, 1]]);
    expect(routes.nextHop(far.identity.id)).toBe(high.identity.id);
    expect(routes.hopsTo(far.identity.id)).toBe(2);
    // The other side gets shorter: the route moves.
    advertise(low, [[far, 0]]);
    expect(routes.nextHop(far.identity.id)).toBe(low.identity.id);
  });

  it.each([
    ['smaller first', [low, high]],
    ['larger first', [high, low]],
  ])('a tie goes to the smaller neighbor id (%s)', (_order, peers) => {
    link(...peers);
    for (const peer of peers) advertise(peer, [[far, 1]]);
    expect(routes.nextHop(far.identity.id)).toBe(low.identity.id);
  });

  it('does not take a route longer than the hop limit', () => {
    t.hopLimit = 2;
    link(low);
    advertise(low, [
      [far, 1],
      [farther, 2],
    ]);
    expect(routes.nextHop(far.identity.id)).toBe(low.identity.id);
    expect(routes.nextHop(farther.identity.id)).toBeUndefined();
    expect(routes.hopsTo(farther.identity.id)).toBeUndefined();
    expect(routes.reachable().map((r) => r.id)).not.toContain(farther.identity.id);
    // Nor is it advertised on.
    expect(ids(routes.advertisement(high.identity.id))).not.toContain(farther.identity.id);
  });

  it('split horizon: a neighbor is not told of itself nor of routes that go through it', () => {
    link(low, high);
    advertise(low, [[far, 1]]);
    const toLow = routes.advertisement(low.identity.id);
    expect(toLow).toEqual([
      { hops: 0, a: selfAnnouncement },
      { hops: 1, a: announce(high) },
    ]);
    const toHigh = routes.advertisement(high.identity.id);
    expect(toHigh).toHaveLength(3);
    expect(toHigh).toEqual(
      expect.arrayContaining([
        { hops: 0, a: selfAnnouncement },
        { hops: 1, a: announce(low) },
        { hops: 2, a: announce(far) },
      ]),
    );
  });

  it('linkDown drops the routes through that neighbor, and falls back to another one', () => {
    link(low, high);
    advertise(low, [[far, 1]]);
    advertise(high, [
      [far, 2],
      [farther, 1],
    ]);
    expect(routes.nextHop(far.identity.id)).toBe(low.identity.id);
    routes.linkDown(low.identity.id);
    expect(routes.nextHop(low.identity.id)).toBeUndefined();
    expect(routes.nextHop(far.identity.id)).toBe(high.identity.id);
    expect(routes.hopsTo(far.identity.id)).toBe(3);
    routes.linkDown(high.identity.id);
    expect(routes.nextHop(far.identity.id)).toBeUndefined();
    expect(routes.nextHop(farther.identity.id)).toBeUndefined();
    expect(routes.reachable()).toEqual([]);
  });

  it('ignores an advertisement from a neighbor whose link is down', () => {
    advertise(low, [[far, 1]]);
    expect(routes.nextHop(low.identity.id)).toBeUndefined();
    expect(routes.nextHop(far.identity.id)).toBeUndefined();
  });

  const stranger = server('far.example');
  it.each<[string, () => Announcement]>([
    ['signed by another key', () => ({ ...announce(far), sig: signAnnouncement(stranger.identity, { name: far.name, addresses: [`${far.name}:30303`], ts: 1 }).sig })],
    ['with its name altered', () => ({ ...announce(far), name: 'bank.example' })],
    ['with its addresses altered', () => ({ ...announce(far), addresses: ['evil.example:30303'] })],
    ['with its ts altered', () => ({ ...announce(far), ts: 5 })],
  ])('an announcement %s is not learned and not routed', (_how, forged) => {
    link(low);
    advertise(low, [[forged(), 1]]);
    expect(routes.announcement(far.identity.id)).toBeUndefined();
    expect(t.learned).not.toContain(far.identity.id);
    expect(routes.nextHop(far.identity.id)).toBeUndefined();
    expect(t.warnings.join('')).toContain('forged server announcement');
  });

  // #verified once answered from the known announcement before checking the signature: with one
  // known at ts 20, an entry for that id with a lower ts was taken unverified and routed.
  it('a forged announcement older than the known one is not routed', () => {
    link(low, high);
    advertise(low, [[announce(far, 20), 3]]);
    const forged: Announcement = { ...announce(far, 10), addresses: ['evil.example:30303'], sig: 'forged' };
    advertise(high, [[forged, 0]]);
    expect(routes.nextHop(far.identity.id)).toBe(low.identity.id);
  });

  it('an older announcement does not replace a newer one; a newer one does', () => {
    link(low, high);
    advertise(low, [[announce(far, 20), 1]]);
    advertise(high, [[announce(far, 10), 1]]);
    expect(routes.announcement(far.identity.id)).toEqual(announce(far, 20));
    // What is passed on is the newest one known, whichever neighbor sent which.
    expect(routes.advertisement(high.identity.id).find((e) => e.a.id === far.identity.id)?.a).toEqual(announce(far, 20));
    advertise(high, [[announce(far, 30), 1]]);
    expect(routes.announcement(far.identity.id)).toEqual(announce(far, 30));
    expect(t.learned.filter((id) => id === far.identity.id)).toHaveLength(2);
  });

  it('a second, validly signed announcement with the same ts does not replace the known one', () => {
    link(low);
    advertise(low, [[announce(far, 20), 1]]);
    const rival = signAnnouncement(far.identity, { name: far.name, addresses: ['moved.example:30303'], ts: 20 });
    advertise(low, [[rival, 1]]);
    expect(routes.announcement(far.identity.id)?.addresses).toEqual([`${far.name}:30303`]);
  });

  it('an announcement whose name is taken here (learned returns false) is kept out', () => {
    t.taken.add(far.name);
    link(low);
    advertise(low, [[far, 1]]);
    expect(routes.announcement(far.identity.id)).toBeUndefined();
    expect(routes.nextHop(far.identity.id)).toBeUndefined();
    expect(ids(routes.advertisement(high.identity.id))).not.toContain(far.identity.id);
  });

  it('a denied server is neither learned nor routed', () => {
    t.denied.add(far.identity.id);
    link(low);
    advertise(low, [[far, 1]]);
    expect(t.learned).not.toContain(far.identity.id);
    expect(routes.nextHop(far.identity.id)).toBeUndefined();
  });

  it("ignores this server's own id in a neighbor's list", () => {
    link(low);
    advertise(low, [[self, 1]]);
    expect(t.learned).not.toContain(self.identity.id);
    expect(routes.nextHop(self.identity.id)).toBeUndefined();
    expect(routes.hopsTo(self.identity.id)).toBeUndefined();
    expect(routes.reachable().map((r) => r.id)).toEqual([low.identity.id]);
  });

  describe('changed', () => {
    it('is called once for a burst of changes, after the current turn', async () => {
      link(low, high);
      advertise(low, [[far, 1]]);
      expect(t.changed).toBe(0);
      await settle();
      expect(t.changed).toBe(1);
    });

    it('is not called when an advertisement changes nothing', async () => {
      routes.linkUp(low.identity.id);
      await settle();
      advertise(low, [[far, 1]]);
      await settle();
      t.changed = 0;
      advertise(low, [[far, 1]]);
      advertise(low, [[far, 1]]);
      await settle();
      expect(t.changed).toBe(0);
    });

    // An announcement learned while a `changed` was already pending once left #learned set, so
    // the next advertisement that changed nothing called `changed` again (re-sending routes on
    // every link). Here: linkUp + the neighbor's first advertisement in one turn, as a burst.
    it('is not called for an unchanged advertisement after a burst that learned announcements', async () => {
      link(low);
      advertise(low, [[far, 1]]);
      await settle();
      expect(t.changed).toBe(1);
      advertise(low, [[far, 1]]);
      await settle();
      expect(t.changed).toBe(1);
    });

    it('is called when a route changes (a neighbor going down)', async () => {
      link(low);
      advertise(low, [[far, 1]]);
      await settle();
      t.changed = 0;
      routes.linkDown(low.identity.id);
      await settle();
      expect(t.changed).toBe(1);
    });

    it('is called when only a new announcement was learned', async () => {
      link(low);
      advertise(low, [[announce(far, 1), 1]]);
      await settle();
      t.changed = 0;
      advertise(low, [[announce(far, 2), 1]]);
      expect(routes.reachable()).toEqual([
        { id: low.identity.id, hops: 1, via: low.identity.id },
        { id: far.identity.id, hops: 2, via: low.identity.id },
      ]);
      await settle();
      expect(t.changed).toBe(1);
    });
  });
});
