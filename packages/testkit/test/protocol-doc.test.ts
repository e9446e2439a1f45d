import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIALECT_ALIASES, DIALECT_NAMES, PARLEY_LINES, VERBS } from '@parley/protocol';
import { ConfigSchema } from '@parley/server';

/**
 * Keeps docs/protocol.md honest: every verb, every text-mode command and every event the code
 * defines must be documented there, and the limits table must show the real defaults. Adding a
 * verb, a text command or an event without documenting it fails here.
 */
const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');
const doc = read('../../../docs/protocol.md');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const headings = doc.split('\n').filter((line) => /^#{1,6}\s/.test(line));
/** Inline code spans (`…`), with fenced code blocks removed first so their backticks do not pair up. */
const codeSpans = [...doc.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

/** Event names from the ServerEvent union in events.ts, so a new event must be documented too. */
function eventNamesInSource(): string[] {
  const source = read('../../protocol/src/events.ts');
  return [...source.matchAll(/\{\s*ev:\s*'([a-z_]+)'/g)].map((m) => m[1]!);
}

const EVENTS = ['message', 'join', 'part', 'topic', 'room_deleted', 'presence', 'nick', 'notice', 'ping', 'error'];

describe('docs/protocol.md', () => {
  it('documents every verb in a heading or in code', () => {
    expect(VERBS.length).toBeGreaterThan(0);
    const missing = VERBS.filter((verb) => {
      const word = new RegExp(`\\b${escapeRegExp(verb)}\\b`);
      const inHeading = headings.some((line) => word.test(line));
      const inCode = codeSpans.includes(verb) || new RegExp(`"cmd":\\s*"${escapeRegExp(verb)}"`).test(doc);
      return !inHeading && !inCode;
    });
    expect(missing).toEqual([]);
  });

  it('gives every verb its own heading', () => {
    const missing = VERBS.filter((verb) => !headings.some((line) => line.includes(`\`${verb}\``)));
    expect(missing).toEqual([]);
  });

  const firstWords = new Set(codeSpans.map((span) => (span.trim().split(/\s+/)[0] ?? '').replace(/^\/{1,2}/, '').toUpperCase()));

  it('mentions every text-mode command in code', () => {
    const missing = Object.keys(PARLEY_LINES).filter((key) => !firstWords.has(key));
    expect(missing).toEqual([]);
  });

  it('has a "coming from" table for every other server, naming each of its words', () => {
    for (const name of Object.values(DIALECT_NAMES)) expect(headings.some((line) => line.includes(name)), name).toBe(true);
    const missing = Object.keys(DIALECT_ALIASES).filter((word) => !firstWords.has(word));
    expect(missing).toEqual([]);
  });

  it('shows every event with its JSON shape', () => {
    const fromSource = eventNamesInSource();
    expect(fromSource).toEqual(expect.arrayContaining(EVENTS));
    const all = [...new Set([...EVENTS, ...fromSource])];
    const missing = all.filter((ev) => !new RegExp(`"ev":\\s*"${escapeRegExp(ev)}"`).test(doc));
    expect(missing).toEqual([]);
    expect(all.filter((ev) => !headings.some((line) => line.includes(`\`${ev}\``)))).toEqual([]);
  });

  it('lists every limit with its real default', () => {
    // The numeric ones: a switch (limits.compression) is documented in its own words.
    const defaults = Object.fromEntries(Object.entries(ConfigSchema.parse({}).limits).filter(([, v]) => typeof v === 'number'));
    const rows = new Map(
      [...doc.matchAll(/^\|\s*`limits\.([a-z0-9_]+)`\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => [m[1]!, Number(m[2]!.replace(/[`_,\s]/g, ''))]),
    );
    for (const [key, value] of Object.entries(defaults)) {
      expect(rows.get(key), `limits.${key}`).toBe(value);
    }
  });

  it('links to the generated error list instead of copying it', () => {
    expect(doc).toMatch(/\]\((\.\/)?errors\.md\)/);
    // errors.md has the table; a copy here would drift. A few names in prose are fine.
    expect(doc).not.toMatch(/^\|\s*code\s*\|\s*name\s*\|/m);
  });
});
