import { randomBytes } from 'node:crypto';
import { nameKey } from '@parley/protocol';
import { User } from './user.ts';

/** Online users by id and by case-folded name. Accounts stay here while any session is open. */
export class UserDirectory {
  private readonly byKey = new Map<string, User>();
  private readonly byId = new Map<string, User>();
  private guestCounter = 0;

  get(id: string): User | undefined {
    return this.byId.get(id);
  }

  findByName(name: string): User | undefined {
    return this.byKey.get(nameKey(name));
  }

  add(user: User): void {
    this.byKey.set(user.key, user);
    this.byId.set(user.id, user);
  }

  remove(user: User): void {
    if (this.byId.get(user.id) === user) this.byId.delete(user.id);
    if (this.byKey.get(user.key) === user) this.byKey.delete(user.key);
  }

  rename(user: User, newName: string): void {
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

  newGuestId(): string {
    return `g${randomBytes(6).toString('hex')}`;
  }

  all(): IterableIterator<User> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}
