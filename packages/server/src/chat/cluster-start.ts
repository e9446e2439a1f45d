import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { disconnectUser, enforceBans, removeFromRoom } from '../moderation/enforce.ts';
import { ClusterLink, type KickOrder } from './cluster-link.ts';
import type { RemoteUser } from './cluster-roster.ts';
import type { Room } from './room.ts';
import type { User } from './user.ts';

/**
 * Makes this server a node of its cluster when the bus reaches other nodes: events, the roster,
 * moderation and room changes go through the ClusterLink, and the node's name claims are renewed.
 * A single node (the in-process bus) gets nothing of this. Returns what stops it.
 */
export function startCluster(server: ServerContext): () => void {
  if (!server.clustered) return () => undefined;
  const link = new ClusterLink(server, {
    syncModeration: moderationSyncer(server),
    refreshRoom: (key) => void refreshRoom(server, key),
    nodeGone: (node, users) => nodeGone(server, node, users),
    kicked: (user, kick) => void kicked(server, user, kick),
  });
  server.cluster = link;
  server.router.remote = link;
  server.rooms.onChanged = (key) => link.roomChanged(key);
  const stops: (() => void)[] = [() => link.close()];
  const { claims } = server;
  if (claims) {
    // A crash of this node (same node_id) left claims behind: they are not anyone's now.
    claims.releaseNode(server.nodeId).catch((err: unknown) => server.log.warn({ err }, 'releasing the claims of an earlier run failed'));
    const renew = setInterval(() => {
      claims.renew().catch((err: unknown) => server.log.warn({ err }, 'renewing name claims failed'));
    }, server.config.cluster.node_timeout_ms);
    renew.unref();
    stops.push(() => clearInterval(renew));
  }
  link.start();
  server.log.info({ node: server.nodeId, bus: server.bus.kind, store: server.store.kind }, 'cluster node started');
  return () => stops.forEach((stop) => stop());
}

/** Another node changed roles, bans or disabled commands: re-read them and apply bans now. */
function moderationSyncer(server: ServerContext): () => void {
  let syncing: Promise<void> | undefined;
  const run = async () => {
    if (await server.moderation.sync()) {
      const closed = await enforceBans(server);
      server.log.info({ closed }, 'moderation changed on another node; re-read');
    }
  };
  // One re-read at a time; a change announced during it is read by the next poll at the latest.
  return () => {
    syncing ??= run()
      .catch((err: unknown) => server.log.error({ err }, 'moderation sync failed'))
      .finally(() => (syncing = undefined));
  };
}

async function refreshRoom(server: ServerContext, key: string): Promise<void> {
  try {
    const { removed } = await server.rooms.refresh(key);
    if (removed) emptyRoom(server, removed);
  } catch (err) {
    server.log.warn({ err, room: key }, 'reading a room another node changed failed');
  }
}

/** A room deleted on another node (its members here heard `room_deleted` through the bus). */
function emptyRoom(server: ServerContext, room: Room): void {
  for (const member of room.members.values()) {
    member.rooms.delete(room.key);
    for (const session of member.sessions) session.leftRoom(room.key);
  }
  room.members.clear();
  server.delivery.roomLeft(room);
}

/** A moderator on another node kicked a user who is online here. */
async function kicked(server: ServerContext, user: User, kick: KickOrder): Promise<void> {
  try {
    if (kick.room === undefined) {
      disconnectUser(user, 'KICKED', `You were kicked by ${kick.by}${kick.reason ? `: ${kick.reason}` : ''}`);
      return;
    }
    const room = server.rooms.byKey(kick.room);
    if (room) await removeFromRoom(server, { user, room, removal: { kind: 'kick', by: kick.by, reason: kick.reason } });
  } catch (err) {
    server.log.warn({ err, user: user.name }, 'a kick from another node failed here');
  }
}

/** A node stopped sending heartbeats: its users are offline for everyone here, its names free. */
function nodeGone(server: ServerContext, node: string, users: RemoteUser[]): void {
  server.log.warn({ node, users: users.length }, 'a cluster node went silent; its users are offline');
  for (const user of users) {
    const rooms = user.rooms.map((key) => server.rooms.byKey(key)).filter((room): room is Room => room !== undefined);
    server.router.localRoomPeers({ user: user.id, rooms, includeSelf: false }, new OutboundEvent({ ev: 'presence', user: user.name, status: 'offline' }));
  }
  server.claims?.releaseNode(node).catch((err: unknown) => server.log.warn({ err, node }, 'releasing a gone node\'s name claims failed'));
}
