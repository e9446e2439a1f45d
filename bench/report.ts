import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { headToHeadTable, type HeadToHeadRow } from './head-to-head.ts';
import type { ScenarioResult } from './scenarios/common.ts';
import type { StartupResult } from './scenarios/startup.ts';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench:results:start (written by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

function table(results: readonly (ScenarioResult | StartupResult)[], columns: [string, string][]): string {
  const head = `| ${columns.map(([, title]) => title).join(' | ')} |`;
  const rule = `|${columns.map(() => '---').join('|')}|`;
  const rows = results.map((r) => `| ${columns.map(([key]) => String(r[key] ?? '')).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

function machine(pinned: boolean): string {
  const cpu = cpus();
  return [
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores; RAM ${Math.round(totalmem() / 2 ** 30)} GiB; Linux ${release()}; Node ${process.version}`,
    `- ${pinned ? 'Server pinned to core 0 and load generator to core 1 (taskset)' : 'Not pinned (taskset missing or one core)'}; loopback only`,
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  ].join('\n');
}

/** Rewrites the generated part of docs/benchmarks.md; hand-written notes around it stay. */
export function writeBenchmarksDoc(
  results: ScenarioResult[],
  options: { pinned: boolean; command: string; startup?: StartupResult; headToHead: { rounds: number; rows: HeadToHeadRow[] } },
): string {
  const of = (scenario: string) => results.filter((r) => r.scenario === scenario);
  const generated = [
    START,
    '',
    `Produced by \`${options.command}\` on:`,
    '',
    machine(options.pinned),
    '',
    '### fanout: 500 receivers in one room, 5 senders, ≤10 messages in flight each, 100-byte texts',
    '',
    table(of('fanout'), [
      ['system', 'server'],
      ['nodes', 'nodes'],
      ['store', 'store'],
      ['bus', 'between'],
      ['transport', 'transport'],
      ['codec', 'codec'],
      ['compression', 'compression'],
      ['deliveriesPerSec', 'deliveries/s'],
      ['serverCpuUsPerDelivery', 'server CPU µs/delivery'],
      ['p50Ms', 'p50 ms'],
      ['p99Ms', 'p99 ms'],
      ['wireBytesPerDelivery', 'wire bytes/delivery'],
      ['deliveriesPerWrite', 'deliveries/write'],
      ['loadgenCpuPct', 'load generator CPU %'],
      ['complete', 'complete'],
    ]),
    '',
    'Rows with bus federation are three independent servers (each its own SQLite, all on core 0) linked to the room\'s home, the receivers spread over them (the senders at the home): every message is sealed at the home (two Ed25519 signatures), sent once per link, verified (two signature checks) and stored on each mirror. Their server CPU is the three together.',
    '',
    ...(options.headToHead.rows.length > 1
      ? [
          `### fanout head to head: plain TCP, JSON, ${options.headToHead.rounds} interleaved rounds`,
          '',
          'The same fanout against each server in turn, round after round; medians, since single runs vary by 10-25 %.',
          '',
          headToHeadTable(options.headToHead.rows),
          '',
        ]
      : []),
    '### dm: 100 pairs exchanging direct messages, ≤10 in flight per user (every message a durable store write)',
    '',
    table(of('dm'), [
      ['nodes', 'nodes'],
      ['store', 'store'],
      ['transport', 'transport'],
      ['codec', 'codec'],
      ['deliveriesPerSec', 'messages/s'],
      ['serverCpuUsPerDelivery', 'server CPU µs/message'],
      ['p50Ms', 'p50 ms'],
      ['p99Ms', 'p99 ms'],
      ['messagesPerTransaction', 'messages/transaction'],
      ['complete', 'complete'],
    ]),
    '',
    'Rows with store postgres are the server on PostgreSQL: with 1 node one `parley serve` (no bus between processes), with 2 nodes one server on two `parley serve` processes (both on core 0) with NATS between them, the fanout receivers spread over both and the two of each dm pair on different nodes. Their server CPU is the nodes together, PostgreSQL and NATS not counted.',
    '',
    '### idle: logged-in idle connections over 100 rooms',
    '',
    table(of('idle'), [
      ['transport', 'transport'],
      ['connections', 'connections'],
      ['heapBytesPerConnection', 'heap bytes/connection (after GC)'],
      ['rssBytesPerConnection', 'RSS bytes/connection'],
      ['rssBeforeMiB', 'RSS before MiB'],
      ['rssAfterMiB', 'RSS after MiB'],
    ]),
    '',
    '### connect: connect + hello + guest login + join (no password hashing)',
    '',
    table(of('connect'), [
      ['transport', 'transport'],
      ['connections', 'connections'],
      ['serverCpuUsPerConnect', 'server CPU µs/connect'],
      ['connectsPerSec', 'connects/s'],
    ]),
    '',
    ...(options.startup
      ? [
          '### startup: the built `parley` command, wall time, medians',
          '',
          table([options.startup], [
            ['runs', 'runs'],
            ['versionMs', '`parley version` ms'],
            ['serveMs', '`parley serve` until listening ms'],
            ['serveFirstStartMs', 'first start (new data dir) until listening ms'],
          ]),
          '',
        ]
      : []),
    END,
  ].join('\n');
  const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const from = current.indexOf(START);
  const to = current.indexOf(END);
  const next = from >= 0 && to > from ? current.slice(0, from) + generated + current.slice(to + END.length) : `${current.trimEnd()}\n\n${generated}\n`;
  writeFileSync(DOC, next);
  return DOC;
}
