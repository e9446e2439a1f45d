import { readFileSync } from 'node:fs';

/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]`: self time per function
 * from a V8 CPU profile (as written by `npm run bench -- --profile <dir>`), biggest first.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + (hits.get(node.id) ?? 0));
}
const total = profile.samples.length;
const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 30));
for (const [key, count] of top) console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}`);
