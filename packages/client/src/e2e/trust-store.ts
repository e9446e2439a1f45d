import { toBase64Url, type TrustPolicy } from '@parley/e2e';
import { SerialQueues } from './serial.ts';
import { readJson, STORAGE_KEYS, writeJson, type E2eStorage } from './storage.ts';

/** What this device knows of one user's identity key. */
interface TrustRecord {
  /** The pinned identity key (base64url): the first one seen, or the one accepted last. */
  key: string;
  /** The person compared safety numbers for this key. */
  verified?: true;
  /** A different key seen since, not accepted: reported once per key. */
  seen?: string;
}

export type Verification = 'unverified' | 'verified' | 'changed';
export type TrustVerdict = 'pinned' | 'trusted' | 'changed';

/**
 * Trust on first use. The first identity key seen for a user id (in the directory, a Welcome's
 * tree or a commit) is pinned; later, only that key is accepted for the user, so MLS refuses
 * every device certified by another one (the auth service asks `trustIdentity` for each
 * credential), and the change is reported loudly until the person accepts it (`pin`), ideally
 * after comparing safety numbers. The server controls the directory; this is what keeps it from
 * swapping someone's key silently.
 */
export class TrustStore implements TrustPolicy {
  private readonly cache = new Map<string, TrustRecord | null>();
  private readonly queues = new SerialQueues();

  constructor(
    private readonly storage: E2eStorage,
    private readonly onChanged: (userId: string, name: string | undefined) => void,
  ) {}

  async trustIdentity(userId: string, identityKey: Uint8Array): Promise<boolean> {
    return (await this.check(userId, toBase64Url(identityKey))) !== 'changed';
  }

  /** Pins an unknown user's key; `changed` (and the report) when another key is pinned. `name` is for the report. */
  check(userId: string, key: string, name?: string): Promise<TrustVerdict> {
    return this.queues.run(userId, async () => {
      const record = await this.record(userId);
      if (!record) {
        await this.write(userId, { key });
        return 'pinned';
      }
      if (record.key === key) return 'trusted';
      if (record.seen !== key) {
        await this.write(userId, { ...record, seen: key });
        this.onChanged(userId, name);
      }
      return 'changed';
    });
  }

  /** Pins `key` for the user (accepting a change): verified only when said so. */
  pin(userId: string, key: string, options: { verified?: boolean } = {}): Promise<void> {
    return this.queues.run(userId, () => this.write(userId, options.verified ? { key, verified: true } : { key }));
  }

  /** `current`: the key the directory has now (null when the user has none). */
  async verification(userId: string, current: string | null): Promise<Verification> {
    const record = await this.record(userId);
    if (!record) return 'unverified';
    if (current !== null && current !== record.key) return 'changed';
    return record.verified ? 'verified' : 'unverified';
  }

  async pinned(userId: string): Promise<string | undefined> {
    return (await this.record(userId))?.key;
  }

  private async record(userId: string): Promise<TrustRecord | undefined> {
    if (!this.cache.has(userId)) this.cache.set(userId, (await readJson<TrustRecord>(this.storage, STORAGE_KEYS.trust(userId))) ?? null);
    return this.cache.get(userId) ?? undefined;
  }

  private async write(userId: string, record: TrustRecord): Promise<void> {
    await writeJson(this.storage, STORAGE_KEYS.trust(userId), record);
    this.cache.set(userId, record);
  }
}
