import { nameKey, type PresenceStatus } from '@parley/protocol';
import { TokenBucket } from '../core/rate-limit.ts';
import type { Session } from '../core/session.ts';
import type { Room } from './room.ts';

/**
 * A user's connections: a Set's interface over an array, because fan-out walks it for every
 * recipient of every event and an indexed loop over an array allocates nothing. Copy on write:
 * a delivery can close a session (a slow consumer) while the router is walking the array.
 */
export class SessionList implements Iterable<Session> {
  private items: readonly Session[] = [];

  add(session: Session): void {
    if (!this.items.includes(session)) this.items = [...this.items, session];
  }

  delete(session: Session): boolean {
    if (!this.items.includes(session)) return false;
    this.items = this.items.filter((s) => s !== session);
    return true;
  }

  has(session: Session): boolean {
    return this.items.includes(session);
  }

  get size(): number {
    return this.items.length;
  }

  /** The connections in the order they logged in; do not modify. */
  get all(): readonly Session[] {
    return this.items;
  }

  [Symbol.iterator](): Iterator<Session> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * A logged-in identity and everything it has online: its connections, the rooms it is in, its
 * presence and its message-rate bucket (shared by all its connections, so opening more
 * connections does not buy more messages). Accounts' ids are "a<account id>", guests' "g<random>".
 */
export class User {
  readonly id: string;
  name: string;
  readonly accountId: number | undefined;
  readonly sessions = new SessionList();
  readonly rooms = new Map<string, Room>();
  status: PresenceStatus = 'online';
  readonly messageRate: TokenBucket;

  constructor({ id, name, accountId, rate }: { id: string; name: string; accountId: number | undefined; rate: { perMinute: number; burst: number } }) {
    this.id = id;
    this.name = name;
    this.accountId = accountId;
    this.messageRate = new TokenBucket(rate.perMinute, rate.burst);
  }

  get key(): string {
    return nameKey(this.name);
  }

  get kind(): 'account' | 'guest' {
    return this.accountId === undefined ? 'guest' : 'account';
  }
}

export function accountUserId(accountId: number): string {
  return `a${accountId}`;
}
