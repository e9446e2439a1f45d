import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { e2eSection, writeE2eSection } from './e2e-report.ts';
import { mlsCosts, type MlsCostResult } from './mls-costs.ts';
import { sdkDm, type SdkDmResult } from './sdk-dm.ts';
import { sdkRoom } from './sdk-room.ts';

/**
 * `npm run bench:e2e [-- --quick] [--no-write]`: end-to-end encryption's costs. Encrypted and
 * plaintext SDK DMs alternate (plaintext first in odd rounds), so neither always runs on the
 * warmer machine; then a 100-member group's commits on the MLS module, and a 100-member
 * encrypted room through server and SDK beside a plaintext one. A full run rewrites its section of
 * docs/benchmarks.md. Run `npm run build` first: the server is the built bundle.
 */
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false }, rounds: { type: 'string' } } });
const quick = values.quick;
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// The server on core 0, the load generator (this process: the SDK clients) on core 1.
const pinned = hasTaskset && availableParallelism() >= 2;
if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
const prefix = pinned ? ['taskset', '-c', '0'] : [];

const dms: SdkDmResult[] = [];
const rounds = Number(values.rounds ?? (quick ? 1 : 2));
for (let round = 1; round <= rounds; round++) {
  for (const encrypted of round % 2 ? [false, true] : [true, false]) {
    const result = await sdkDm({ encrypted, pairs: quick ? 4 : 10, perPerson: quick ? 20 : 150, prefix });
    dms.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
const mls: MlsCostResult[] = [];
for (const members of quick ? [20] : [10, 100]) {
  const result = await mlsCosts(members);
  mls.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
const rooms = await sdkRoom({ members: quick ? 20 : 100, prefix });
for (const result of rooms) process.stdout.write(`${JSON.stringify(result)}\n`);
if (!quick && !values['no-write']) {
  const file = writeE2eSection(e2eSection({ dms, mls, rooms, date: new Date().toISOString().slice(0, 16).replace('T', ' ') }));
  console.error(`bench:e2e: wrote ${file}`);
}
