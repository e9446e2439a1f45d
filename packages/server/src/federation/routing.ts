import type { Logger } from 'pino';
import { verifySigned } from './envelope.ts';
import type { ServerIdentity } from './server-identity.ts';

/** A server's word on who it is and where it listens, signed by its key; relays pass it on unchanged. */
export interface Announcement {
  id: string;
  name: string;
  addresses: string[];
  ts: number;
  sig: string;
}

export interface RouteEntry {
  hops: number;
  a: Announcement;
}

function announcementBytes(a: Omit<Announcement, 'sig'>): Buffer {
  return Buffer.from(JSON.stringify(['parley-announce-v1', a.id, a.name, a.addresses, a.ts]));
}

export function signAnnouncement(identity: ServerIdentity, a: Omit<Announcement, 'id' | 'sig'>): Announcement {
  const unsigned = { ...a, id: identity.id };
  return { ...unsigned, sig: identity.sign(announcementBytes(unsigned)) };
}

/**
 * Distance-vector routes between servers that are not linked directly: each link advertises the
 * servers it reaches and in how many hops; a server sends what is for another to the neighbor
 * with the fewest hops to it, never more than the hop limit (which also ends counting to
 * infinity when a part of the network goes away). Split horizon: a route is not advertised back
 * to the neighbor it goes through. Announcements ride along, so linked servers learn the others'
 * names and addresses (discovery) from statements those servers signed themselves.
 */
export class Routes {
  /** Per neighbor: what it advertised, by destination. */
  readonly #tables = new Map<string, Map<string, RouteEntry>>();
  #best = new Map<string, { via: string; hops: number }>();
  readonly #announcements = new Map<string, Announcement>();
  #pending = false;
  /** A new announcement since the last advertisement: neighbors hear of it even if no route changed. */
  #learned = false;

  constructor(
    private readonly options: {
      self: () => Announcement;
      hopLimit: () => number;
      isDenied: (id: string) => boolean;
      /** A newly verified announcement: returns false when its name belongs to another server here. */
      learned: (a: Announcement) => boolean;
      /** The best routes changed: advertise again. */
      changed: () => void;
      log: Logger;
    },
  ) {}

  linkUp(peer: string): void {
    this.#tables.set(peer, new Map());
    this.#recompute();
  }

  linkDown(peer: string): void {
    this.#tables.delete(peer);
    this.#recompute();
  }

  /** A neighbor's advertisement: every announcement checked against its own key before use. */
  received(peer: string, list: readonly RouteEntry[]): void {
    const table = new Map<string, RouteEntry>();
    const selfId = this.options.self().id;
    for (const entry of list) {
      const { a } = entry;
      if (a.id === selfId || this.options.isDenied(a.id)) continue;
      if (!this.#verified(a)) continue;
      table.set(a.id, { hops: entry.hops + 1, a: this.#announcements.get(a.id) ?? a });
    }
    if (!this.#tables.has(peer)) return; // the link went down meanwhile
    this.#tables.set(peer, table);
    this.#recompute();
  }

  #verified(a: Announcement): boolean {
    const known = this.#announcements.get(a.id);
    if (known && known.sig === a.sig) return true;
    // Checked even when older than the one known: a route is only taken on a signed word.
    if (!verifySigned(a.id, announcementBytes(a), a.sig)) {
      this.options.log.warn({ id: a.id }, 'federation: a forged server announcement was dropped');
      return false;
    }
    if (known && known.ts >= a.ts) return true;
    if (!this.options.learned(a)) return false;
    this.#announcements.set(a.id, a);
    this.#learned = true;
    return true;
  }

  /** The neighbor to send something for `server` to, or undefined when no route is within the hop limit. */
  nextHop(server: string): string | undefined {
    if (this.#tables.has(server)) return server;
    return this.#best.get(server)?.via;
  }

  hopsTo(server: string): number | undefined {
    return this.#tables.has(server) ? 1 : this.#best.get(server)?.hops;
  }

  announcement(id: string): Announcement | undefined {
    return this.#announcements.get(id);
  }

  /** What to tell `peer`: this server, its neighbors, and its best routes, minus those that go through `peer`. */
  advertisement(peer: string): RouteEntry[] {
    const list: RouteEntry[] = [{ hops: 0, a: this.options.self() }];
    for (const [id, best] of this.#best) {
      const a = this.#announcements.get(id);
      if (a && best.via !== peer && id !== peer) list.push({ hops: best.hops, a });
    }
    return list;
  }

  reachable(): { id: string; hops: number; via: string }[] {
    return [...this.#best].map(([id, b]) => ({ id, hops: b.hops, via: b.via }));
  }

  #recompute(): void {
    const limit = this.options.hopLimit();
    const best = new Map<string, { via: string; hops: number }>();
    for (const [peer, table] of this.#tables) {
      best.set(peer, { via: peer, hops: 1 });
      for (const [id, entry] of table) {
        if (this.#tables.has(id)) continue; // linked directly: one hop
        const current = best.get(id);
        // Ties go to the smaller neighbor id, so the choice does not flap with arrival order.
        if (entry.hops <= limit && (!current || entry.hops < current.hops || (entry.hops === current.hops && peer < current.via))) best.set(id, { via: peer, hops: entry.hops });
      }
    }
    const same = best.size === this.#best.size && [...best].every(([id, b]) => this.#best.get(id)?.via === b.via && this.#best.get(id)?.hops === b.hops);
    this.#best = best;
    if ((same && !this.#learned) || this.#pending) return;
    this.#pending = true;
    setImmediate(() => {
      // Cleared here, not when scheduled: what is learned meanwhile goes out with this one.
      this.#pending = false;
      this.#learned = false;
      this.options.changed();
    });
  }
}
