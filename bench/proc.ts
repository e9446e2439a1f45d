import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second for /proc/<pid>/stat times (100 on Linux almost everywhere). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / CLK_TCK;
}

/**
 * Measures a phase: wall time, the server's CPU time (every node's, in a cluster run), and the
 * load generator's own CPU share (near 100% would mean the generator, not the server, limits
 * throughput).
 */
export class Phase {
  private readonly cpuStart: number;
  private readonly selfStart = process.cpuUsage();
  private readonly wallStart = performance.now();
  private readonly pids: readonly number[];

  constructor(pid: number | readonly number[]) {
    this.pids = typeof pid === 'number' ? [pid] : pid;
    this.cpuStart = this.serverCpu();
  }

  private serverCpu(): number {
    return this.pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  }

  end(): { wallMs: number; cpuUs: number; serverCpuPct: number; loadgenCpuPct: number } {
    const wallMs = performance.now() - this.wallStart;
    const cpuUs = this.serverCpu() - this.cpuStart;
    const self = process.cpuUsage(this.selfStart);
    return {
      wallMs,
      cpuUs,
      serverCpuPct: Math.round(cpuUs / (wallMs * 10)),
      loadgenCpuPct: Math.round((self.user + self.system) / (wallMs * 10)),
    };
  }
}
