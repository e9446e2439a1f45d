import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MlsCostResult } from './mls-costs.ts';
import type { SdkDmResult } from './sdk-dm.ts';
import type { RoomPhaseResult } from './sdk-room.ts';

const DOC = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench:e2e:start (written by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:e2e:end -->';

function rows<T extends object>(items: readonly T[], columns: [keyof T, string][]): string {
  return [
    `| ${columns.map(([, title]) => title).join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...items.map((item) => `| ${columns.map(([key]) => String(item[key] ?? '')).join(' | ')} |`),
  ].join('\n');
}

/** The end-to-end part of docs/benchmarks.md (its own markers, after the main results). */
export function e2eSection(results: { dms: SdkDmResult[]; mls: MlsCostResult[]; rooms: RoomPhaseResult[]; date: string }): string {
  return [
    START,
    '',
    `### End-to-end encryption (${results.date} UTC)`,
    '',
    'Direct messages through the SDK (ParleyClients over TLS in the load generator, ≤4 in flight per person), encrypted and plaintext in the same run. The client column is the load generator CPU per message: the MLS work of the sending and the receiving client together.',
    '',
    rows(results.dms, [
      ['encrypted', 'end to end'],
      ['pairs', 'pairs'],
      ['messages', 'messages'],
      ['messagesPerSec', 'messages/s'],
      ['serverCpuUsPerMessage', 'server CPU µs/message'],
      ['clientCpuMsPerMessage', 'client CPU ms/message'],
      ['p50Ms', 'p50 ms'],
      ['p99Ms', 'p99 ms'],
      ['complete', 'complete'],
    ]),
    '',
    'A large group, on the MLS module alone (one device per member): making the group with one commit, then adding one more device, a member processing that commit, the newcomer joining from its Welcome (tree sent beside it), an empty update commit and its processing, and one 100-byte message.',
    '',
    rows(results.mls, [
      ['members', 'members'],
      ['buildMs', 'build ms'],
      ['addCommitMs', 'add commit ms'],
      ['addCommitBytes', 'add commit B'],
      ['welcomeBytes', 'Welcome B'],
      ['treeBytes', 'tree B'],
      ['processAddMs', 'process add ms'],
      ['joinMs', 'join ms'],
      ['updateCommitMs', 'update commit ms'],
      ['updateCommitBytes', 'update B'],
      ['processUpdateMs', 'process update ms'],
      ['encryptMs', 'encrypt ms'],
      ['decryptMs', 'decrypt ms'],
      ['ciphertextBytes', 'ciphertext B'],
      ['stateBytes', 'saved state B'],
    ]),
    '',
    'A room through the server and the SDK (guests over TLS in the load generator, one device each): each phase ends when every member has read, decrypted, what it waits for. The plaintext room has the same people.',
    '',
    rows(results.rooms, [
      ['phase', 'phase'],
      ['members', 'members'],
      ['ms', 'ms until all read'],
      ['serverCpuMs', 'server CPU ms'],
      ['complete', 'complete'],
    ]),
    '',
    END,
  ].join('\n');
}

/** Replaces the section between its markers, or appends it before the notes that follow the main results. */
export function writeE2eSection(section: string): string {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  let next: string;
  if (start >= 0 && end > start) next = doc.slice(0, start) + section + doc.slice(end + END.length);
  else {
    const anchor = doc.indexOf('<!-- bench:results:end -->');
    const at = anchor >= 0 ? anchor + '<!-- bench:results:end -->'.length : doc.length;
    next = `${doc.slice(0, at)}\n\n${section}${doc.slice(at)}`;
  }
  writeFileSync(DOC, next);
  return DOC;
}
