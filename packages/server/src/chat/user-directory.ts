import { randomBytes } from 'node:crypto';
import { nameKey, ParleyError } from '@parley/protocol';
import { User } from './user.ts';

/** Online users by id and by case-folded name. Accounts stay here while any session is open. */
export class UserDirectory {
  private readonly byKey = new Map<string, User>();
  private readonly byId = new Map<string, User>();
  /** Names held by a registration between its check and its commit (password hashing is slow). */
  private readonly reserved = new Set<string>();
  private guestCounter = 0;
  private guestIds = 0;
  private readonly runPrefix = randomBytes(6).toString('hex');

  get(id: string): User | undefined {
    return this.byId.get(id);
  }

  findByName(name: string): User | undefined {
    return this.byKey.get(nameKey(name));
  }

  /** True when the name belongs to an online user or is held by a registration in progress. */
  isTaken(name: string): boolean {
    const key = nameKey(name);
    return this.byKey.has(key) || this.reserved.has(key);
  }

  /** Holds a name until `release` is called; false when it is already taken or held. */
  reserve(name: string): (() => void) | undefined {
    const key = nameKey(name);
    if (this.byKey.has(key) || this.reserved.has(key)) return undefined;
    this.reserved.add(key);
    return () => this.reserved.delete(key);
  }

  /** Refuses a name another online user holds: two users must never share one. */
  add(user: User): void {
    const holder = this.byKey.get(user.key);
    if (holder && holder !== user) throw new ParleyError('NAME_TAKEN', `The name ${user.name} is taken`);
    this.byKey.set(user.key, user);
    this.byId.set(user.id, user);
  }

  remove(user: User): void {
    if (this.byId.get(user.id) === user) this.byId.delete(user.id);
    if (this.byKey.get(user.key) === user) this.byKey.delete(user.key);
  }

  rename(user: User, newName: string): void {
    const holder = this.byKey.get(nameKey(newName));
    if ((holder && holder !== user) || this.reserved.has(nameKey(newName))) {
      throw new ParleyError('NAME_TAKEN', `The name ${newName} is taken`);
    }
    this.byKey.delete(user.key);
    user.name = newName;
    this.byKey.set(user.key, user);
  }

  /** The next free "guest0001"-style name; numbers are not reused while the server runs. */
  nextGuestName(): string {
    for (;;) {
      this.guestCounter += 1;
      const name = `guest${String(this.guestCounter).padStart(4, '0')}`;
      if (!this.byKey.has(name)) return name;
    }
  }

  /**
   * A guest id no earlier run of the server handed out (so a new guest never inherits an old
   * guest's direct conversations): a random prefix per run plus a counter. One random draw per
   * guest was 3% of the CPU of a connect in the benchmark.
   */
  newGuestId(): string {
    this.guestIds += 1;
    return `g${this.runPrefix}${this.guestIds.toString(36)}`;
  }

  all(): IterableIterator<User> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}
