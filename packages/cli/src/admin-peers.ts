import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateServerIdentity, type Config, type Store } from '@parley/server';

const iso = (ms: number) => new Date(ms).toISOString();
// A peer chose its own name in its link hello: no control characters reach the terminal.
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/**
 * `parley admin peers`: the servers this one knows, from its database. Whether each is linked
 * right now lives only in the running server's memory, so this says where to ask for that
 * instead of guessing.
 */
export async function adminPeers(config: Config, store: Store, out: (line: string) => void): Promise<void> {
  if (!store.federation) throw new Error(`the ${store.kind} store keeps no federation data (federation needs store = "sqlite")`);
  const name = config.server_name.toLowerCase();
  // Only read the key: loading it where none exists would make this server a new identity.
  const hasKey = existsSync(join(config.data_dir, 'federation', 'server-key.pem'));
  const id = hasKey ? (await loadOrCreateServerIdentity(config.data_dir)).id : '(no server key yet: it has never federated)';
  out(`this server: ${name} ${id}`);
  for (const peer of await store.federation.peers()) {
    const at = peer.addresses.length > 0 ? ` at ${peer.addresses.join(',')}` : '';
    out(`${printable(peer.name)} ${peer.id} last seen ${iso(peer.lastSeen)}${at}${peer.denied ? ' denied' : ''}`);
  }
  process.stderr.write('(whether each is linked now, and connect/disconnect, are the running server\'s: PEERS at its console or as an operator)\n');
}

/** Links are held by the running server's process, which `parley admin` (a separate process on the database) cannot reach. */
export function liveOnly(command: 'connect' | 'disconnect'): string {
  const typed = command === 'connect' ? 'connect <host> <port>' : 'disconnect <server>';
  return `links are held by the running server: type "${typed}" at its console, or /${typed} as an operator (to link at every start, list the peer in federation.peers)`;
}
