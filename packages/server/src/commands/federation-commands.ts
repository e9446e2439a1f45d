import { ParleyError, type DialTargetInfo, type PeerInfo } from '@parley/protocol';
import { formatListenAddress, parsePeerAddress } from '../config/listen-address.ts';
import type { ServerContext } from '../core/context.ts';
import { escapeText } from '../core/text-lines.ts';
import type { Federation } from '../federation/federation.ts';
import { audit } from '../moderation/audit.ts';
import type { CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';

function federationOf(server: ServerContext): Federation {
  if (!server.federation) throw new ParleyError('FEDERATION_DISABLED', 'This server does not federate (federation.enabled is off)');
  return server.federation;
}

/**
 * Federation.connect parses "host:port" with the configuration's rules, which throw a plain
 * Error for a bad host (an INTERNAL at the command boundary) and read "<id>@host" as a pinned
 * id. Parsing it the same way here first makes a bad host a BAD_ARGUMENTS that says why.
 */
function checkAddress(host: string, port: number): void {
  const refuse = (why: string) => new ParleyError('BAD_ARGUMENTS', `connect: ${why}`);
  if (host.includes('@')) throw refuse(`"${host}" is not a host (a hostname or an IP address, nothing before an "@")`);
  try {
    parsePeerAddress(formatListenAddress({ host, port }));
  } catch (error) {
    throw refuse((error as Error).message.replace(/^invalid listen address "[^"]*": /, ''));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

// A peer names itself in its link hello, so its name is escaped like any text from outside.
function peerLine(peer: PeerInfo): string {
  const at = peer.addresses.length > 0 ? ` at ${peer.addresses.join(',')}` : '';
  const route = peer.linked ? 'linked' : `unlinked${peer.hops === undefined ? '' : ` hops ${peer.hops}`}`;
  return `PEER ${escapeText(peer.name)} ${peer.id} ${route} seen ${iso(peer.lastSeen)}${at}${peer.denied ? ' denied' : ''}`;
}

const dialingLine = (target: DialTargetInfo) => `DIALING ${formatListenAddress(target)}${target.id ? ` ${target.id}` : ''}`;

/** The links to other servers (federation/): which servers this one knows, and starting or ending a link. */
export const federationCommands: CommandFamily<'peers' | 'connect' | 'disconnect'> = {
  peers: {
    summary: 'The servers this one knows (linked or not, last seen, addresses, denied) and the addresses it dials',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    handle({ server }) {
      const federation = federationOf(server);
      const { links } = federation;
      const peers = federation.peerList().map(({ name, id, linked, hops, lastSeen, addresses, denied }) => ({ name, id, linked, ...(hops === undefined ? {} : { hops }), lastSeen, addresses, denied }));
      // A configured peer that never answered, or a `connect` still trying, is in no peer record yet.
      const dialing = links
        .targets()
        .filter((target) => target.id === undefined || !links.links.has(target.id))
        .map(({ host, port, id }) => ({ host, port, ...(id === undefined ? {} : { id }) }));
      const data = { id: federation.identity.id, name: server.config.server_name.toLowerCase(), peers, dialing };
      return { data, text: [`SELF ${data.name} ${data.id}`, ...peers.map(peerLine), ...dialing.map(dialingLine), `OK PEERS ${peers.length}`] };
    },
  },
  connect: {
    summary: 'Keep a federation link to host and port (it comes up in the background; PEERS shows it)',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    async handle(ctx, { host, port }) {
      const actor = loggedIn(ctx);
      const federation = federationOf(ctx.server);
      checkAddress(host, port);
      federation.connect(host, port);
      const address = formatListenAddress({ host, port });
      await audit(ctx.server, { actor: actor.name, action: 'federation.connect', target: address });
      return { data: { host, port }, text: `OK CONNECT ${address}` };
    },
  },
  disconnect: {
    summary: 'Close the federation link to a server (by name, id, or the host:port being dialed) and stop dialing it',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    async handle(ctx, { server: nameOrId }) {
      const actor = loggedIn(ctx);
      const peer = federationOf(ctx.server).disconnect(nameOrId);
      // Undefined: an address being dialed that never linked, stopped by its host:port.
      await audit(ctx.server, { actor: actor.name, action: 'federation.disconnect', target: peer?.name ?? nameOrId, ...(peer ? { detail: peer.id } : {}) });
      if (!peer) return { data: { name: nameOrId }, text: `OK DISCONNECT ${escapeText(nameOrId)}` };
      return { data: { name: peer.name, id: peer.id }, text: `OK DISCONNECT ${escapeText(peer.name)} ${peer.id}` };
    },
  },
};
