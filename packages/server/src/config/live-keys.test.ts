import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLiveKey, LIMITS_FOR_NEW } from './live-keys.ts';
import { planReload } from './reload.ts';
import { ConfigSchema } from './schema.ts';

const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
/** The Keys table's rows: the key and the last column (cells split at pipes not escaped as \\|). */
const rows = doc
  .split('\n')
  .filter((line) => /^\| `[a-z0-9_.]+` \|/.test(line))
  .map((line) => {
    const cells = line.split(/(?<!\\)\|/);
    return { key: /`([a-z0-9_.]+)`/.exec(line)![1]!, meaning: cells.at(-2) ?? '' };
  });

describe('live keys', () => {
  it('docs/configuration.md marks exactly the live keys **Live.**, and says which wait for new connections or logins', () => {
    expect(rows.length).toBeGreaterThan(30);
    for (const { key, meaning } of rows) {
      expect(meaning.includes('**Live.**'), key).toBe(isLiveKey(key));
      const when = LIMITS_FOR_NEW[key.replace(/^limits\./, '')];
      if (key.startsWith('limits.') && when) expect(meaning, key).toContain(`**Live.** (${when})`);
    }
  });

  it('a reload applies the live keys and names the others as needing a restart', () => {
    const current = ConfigSchema.parse({});
    const loaded = ConfigSchema.parse({ motd: 'hi', server_name: 'other', limits: { max_frame_bytes: 4096, idle_timeout_ms: 5 }, moderation: { exempt_addresses: [], first_account_owner: false }, http: { listen: ['0.0.0.0:80'], failover_urls: ['wss://node2.example.org/ws'] } });
    const plan = planReload(current, loaded);
    expect(plan.next.motd).toBe('hi');
    expect(plan.next.limits.max_frame_bytes).toBe(4096);
    expect(plan.next.server_name).toBe('parley');
    expect(plan.next.moderation.first_account_owner).toBe(true);
    expect(plan.next.http).toEqual({ listen: ['127.0.0.1:8080'], failover_urls: ['wss://node2.example.org/ws'] });
    expect(plan.applied.sort()).toEqual(['http.failover_urls', 'limits.idle_timeout_ms', 'limits.max_frame_bytes', 'moderation.exempt_addresses', 'motd']);
    expect(plan.restartNeeded.sort()).toEqual(['http.listen', 'moderation.first_account_owner', 'server_name']);
    expect(Object.isFrozen(plan.next.limits)).toBe(true);
  });
});
