import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * SSH-style trust for self-signed servers: `host:port SHA256-fingerprint` lines. The first
 * contact is recorded (when the user or a flag accepts it); afterwards a different certificate
 * is refused until the user removes or replaces the line.
 */
export class KnownHosts {
  constructor(readonly file: string = defaultKnownHostsFile()) {}

  private entries(): Map<string, string> {
    const entries = new Map<string, string>();
    if (!existsSync(this.file)) return entries;
    for (const raw of readFileSync(this.file, 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const [hostPort, fingerprint] = line.split(/\s+/);
      if (hostPort && fingerprint) entries.set(hostPort, fingerprint.toUpperCase());
    }
    return entries;
  }

  lookup(hostPort: string): string | undefined {
    return this.entries().get(hostPort);
  }

  /** Adds or replaces the pin for `hostPort`. */
  trust(hostPort: string, fingerprint: string): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const entries = this.entries();
    if (entries.has(hostPort)) {
      entries.set(hostPort, fingerprint.toUpperCase());
      const body = [...entries].map(([host, fp]) => `${host} ${fp}`).join('\n');
      writeFileSync(this.file, `# Parley known hosts: host:port SHA-256 certificate fingerprint\n${body}\n`, { mode: 0o600 });
      return;
    }
    if (!existsSync(this.file)) writeFileSync(this.file, '# Parley known hosts: host:port SHA-256 certificate fingerprint\n', { mode: 0o600 });
    appendFileSync(this.file, `${hostPort} ${fingerprint.toUpperCase()}\n`);
  }
}

export function defaultKnownHostsFile(): string {
  return process.env.PARLEY_KNOWN_HOSTS ?? join(homedir(), '.parley', 'known_hosts');
}
