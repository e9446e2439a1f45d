import { describe, expect, it } from 'vitest';
import { newSealingKey, sealedE2eStorage, type RecordStore, type SealedRecord } from './e2e-sealed-storage.ts';

/** A record store in a Map, whose writes can be held back to see what `set` waits for. */
function mapStore(): RecordStore & { records: Map<string, SealedRecord>; hold?: Promise<void> } {
  const records = new Map<string, SealedRecord>();
  const store: RecordStore & { records: Map<string, SealedRecord>; hold?: Promise<void> } = {
    records,
    get: async (key) => records.get(key),
    put: async (key, record) => {
      await store.hold;
      records.set(key, record);
    },
    delete: async (key) => void records.delete(key),
  };
  return store;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

describe('sealedE2eStorage', () => {
  it('keeps only ciphertext under a fresh 12-byte IV per write, and reads its own values back', async () => {
    const records = mapStore();
    const storage = sealedE2eStorage(records, await newSealingKey());
    await storage.set('conv/dm:a1:a2', bytes('MARKER group state'));
    const first = records.records.get('conv/dm:a1:a2');
    await storage.set('conv/dm:a1:a2', bytes('MARKER group state'));
    const second = records.records.get('conv/dm:a1:a2');
    expect(first?.iv).toHaveLength(12);
    expect(Buffer.from(second?.iv ?? []).equals(Buffer.from(first?.iv ?? []))).toBe(false);
    expect(Buffer.from(second?.data ?? []).includes('MARKER')).toBe(false);
    expect(text(await storage.get('conv/dm:a1:a2'))).toBe('MARKER group state');
    expect(await storage.get('missing')).toBeUndefined();
    await storage.delete('conv/dm:a1:a2');
    expect(await storage.get('conv/dm:a1:a2')).toBeUndefined();
  });

  it('binds each value to its key and to the store key: moved, changed or foreign records do not open', async () => {
    const records = mapStore();
    const storage = sealedE2eStorage(records, await newSealingKey());
    await storage.set('archive/dm:a1:a2/7', bytes('seven'));
    await storage.set('archive/dm:a1:a2/8', bytes('eight'));
    records.records.set('archive/dm:a1:a2/8', records.records.get('archive/dm:a1:a2/7')!);
    await expect(storage.get('archive/dm:a1:a2/8')).rejects.toThrow(/does not open/);
    const record = records.records.get('archive/dm:a1:a2/7')!;
    const flipped = record.data.slice();
    flipped[0]! ^= 1;
    records.records.set('archive/dm:a1:a2/7', { iv: record.iv, data: flipped });
    await expect(storage.get('archive/dm:a1:a2/7')).rejects.toThrow(/does not open/);
    const other = sealedE2eStorage(records, await newSealingKey());
    await storage.set('device', bytes('mine'));
    await expect(other.get('device')).rejects.toThrow(/does not open/);
  });

  it('resolves a set only once the record is stored, and keeps the order of the calls on one key', async () => {
    const records = mapStore();
    const storage = sealedE2eStorage(records, await newSealingKey());
    let release = () => undefined as void;
    records.hold = new Promise<void>((resolve) => (release = resolve));
    let done = false;
    const first = storage.set('conv/x', bytes('old')).then(() => (done = true));
    const second = storage.set('conv/x', bytes('new'));
    const read = storage.get('conv/x');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    expect(records.records.size).toBe(0);
    release();
    await Promise.all([first, second]);
    expect(text(await read)).toBe('new');
    expect(text(await storage.get('conv/x'))).toBe('new');
  });
});
