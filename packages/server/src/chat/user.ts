import { nameKey, type PresenceStatus } from '@parley/protocol';
import { TokenBucket } from '../core/rate-limit.ts';
import type { Session } from '../core/session.ts';
import type { Room } from './room.ts';

/**
 * A logged-in identity and everything it has online: its connections, the rooms it is in, its
 * presence and its message-rate bucket (shared by all its connections, so opening more
 * connections does not buy more messages). Accounts' ids are "a<account id>", guests' "g<random>".
 */
export class User {
  readonly sessions = new Set<Session>();
  readonly rooms = new Map<string, Room>();
  status: PresenceStatus = 'online';
  readonly messageRate: TokenBucket;

  constructor(
    readonly id: string,
    public name: string,
    readonly accountId: number | undefined,
    rate: { perMinute: number; burst: number },
  ) {
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
