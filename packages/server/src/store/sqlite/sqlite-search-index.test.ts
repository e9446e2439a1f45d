import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewMessage, Store } from '../store.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function store(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-search-index-'));
  dirs.push(dir);
  return openSqliteStore({ file: join(dir, 'parley.db') });
}

const msg = (i: number): NewMessage => ({ conv: '#big', senderId: 'u1', senderName: 'alice', target: '#big', text: `message number w${i}`, createdAt: i });

describe('the search index, off the append path', () => {
  it('indexes the newest messages first, so a search after a large backlog finds what was written lately at once', async () => {
    const s = await store();
    for (let start = 0; start < 22_000; start += 1000) await s.appendMessages(Array.from({ length: 1000 }, (_, i) => msg(start + i)));
    // More queued than one search catches up (20,000): the newest are indexed first.
    const found = await s.search({ terms: ['w21999'], convs: ['#big'], limit: 5 });
    expect(found.map((m) => m.seq)).toEqual([22_000]);
    await s.close();
  });

  it('a redaction (blanking) and retention leave the index even before the background got to them', async () => {
    const s = await store();
    await s.appendMessages([msg(1), msg(2)]);
    await s.blank('#big', [1]);
    expect(await s.search({ terms: ['w1'], convs: ['#big'], limit: 5 })).toEqual([]);
    expect((await s.search({ terms: ['w2'], convs: ['#big'], limit: 5 })).map((m) => m.seq)).toEqual([2]);
    await s.deleteMessagesBefore(10);
    expect(await s.search({ terms: ['w2'], convs: ['#big'], limit: 5 })).toEqual([]);
    await s.close();
  });
});
