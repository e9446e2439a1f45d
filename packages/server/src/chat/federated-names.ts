import { ParleyError, splitServer } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';

/**
 * The server a federated name (`#dev@b.example`, `bob@b.example`) lives on, when it is another
 * one; undefined for this server's names (no `@`, or `@` and this server's own name). Throws
 * FEDERATION_DISABLED for another server's name on a server that does not federate.
 */
export function elsewhere(server: ServerContext, name: string): { local: string; home: string } | undefined {
  const { local, server: home } = splitServer(name);
  if (home === undefined || home === server.config.server_name.toLowerCase()) return undefined;
  if (!server.federation) throw new ParleyError('FEDERATION_DISABLED', `${name} is on ${home}, and this server does not federate`);
  return { local, home };
}
