import { nameKey } from '@parley/protocol';

/** A user online on another node, as that node announced it. */
export interface RemoteUser {
  id: string;
  name: string;
  kind: 'guest' | 'account';
  status: string;
  rooms: string[];
}

interface NodeRoster {
  lastSeen: number;
  /** The node's roster version this copy is at; a delta that skips one asks for a snapshot. */
  version: number;
  users: Map<string, RemoteUser>;
  /**
   * The same users by name key: a DM to someone on another node looks its name up at every
   * send, and a scan folding every remote user's name cost O(users) each time.
   */
  byName: Map<string, RemoteUser>;
}

function nodeRoster(lastSeen: number, version: number, users: readonly RemoteUser[]): NodeRoster {
  const node: NodeRoster = { lastSeen, version, users: new Map(), byName: new Map() };
  for (const user of users) setUser(node, user);
  return node;
}

function setUser(node: NodeRoster, user: RemoteUser): void {
  const before = node.users.get(user.id);
  if (before) unname(node, before);
  node.users.set(user.id, user);
  node.byName.set(nameKey(user.name), user);
}

function removeUser(node: NodeRoster, id: string): void {
  const user = node.users.get(id);
  if (!user) return;
  node.users.delete(id);
  unname(node, user);
}

/** Only its own entry: another user may have taken the name in a later delta (a rename). */
function unname(node: NodeRoster, user: RemoteUser): void {
  const key = nameKey(user.name);
  if (node.byName.get(key)?.id === user.id) node.byName.delete(key);
}

/** What a node says about its users on the cluster topic. */
export type RosterUpdate =
  | { op: 'snapshot'; node: string; version: number; users: RemoteUser[] }
  | { op: 'set'; node: string; version: number; user: RemoteUser }
  | { op: 'remove'; node: string; version: number; id: string };

/**
 * Who is online on the other nodes and in which rooms: each node announces its own users
 * (deltas with a version, a full snapshot on request) and a heartbeat with its version. A copy
 * that missed a delta is noticed by the version and refreshed by a snapshot; a node whose
 * heartbeats stop is dropped after the node timeout. So a remote user's presence here is at
 * most one heartbeat stale, or node_timeout_ms when its node died.
 */
export class ClusterRoster {
  readonly #nodes = new Map<string, NodeRoster>();

  /** Applies an update; returns false when the copy is behind and needs a snapshot. */
  apply(update: RosterUpdate, now: number): boolean {
    if (update.op === 'snapshot') {
      this.#nodes.set(update.node, nodeRoster(now, update.version, update.users));
      return true;
    }
    const node = this.#nodes.get(update.node);
    if (!node || update.version !== node.version + 1) return false;
    node.version = update.version;
    node.lastSeen = now;
    if (update.op === 'set') setUser(node, update.user);
    else removeUser(node, update.id);
    return true;
  }

  /** A heartbeat: false when this copy is missing or behind (ask the node for a snapshot). */
  heartbeat(nodeId: string, version: number, now: number): boolean {
    const node = this.#nodes.get(nodeId);
    if (!node) return false;
    node.lastSeen = now;
    return node.version === version;
  }

  /** Drops nodes silent for longer than `timeoutMs`; returns them with the users they had. */
  expire(now: number, timeoutMs: number): { node: string; users: RemoteUser[] }[] {
    const gone: { node: string; users: RemoteUser[] }[] = [];
    for (const [id, node] of this.#nodes) {
      if (now - node.lastSeen <= timeoutMs) continue;
      this.#nodes.delete(id);
      gone.push({ node: id, users: [...node.users.values()] });
    }
    return gone;
  }

  forgetNode(nodeId: string): RemoteUser[] {
    const node = this.#nodes.get(nodeId);
    this.#nodes.delete(nodeId);
    return node ? [...node.users.values()] : [];
  }

  nodes(): string[] {
    return [...this.#nodes.keys()];
  }

  /** The remote users in a room, each once (an account may be online on two nodes). */
  membersOf(roomKey: string): RemoteUser[] {
    const found = new Map<string, RemoteUser>();
    for (const node of this.#nodes.values()) {
      for (const user of node.users.values()) if (user.rooms.includes(roomKey) && !found.has(user.id)) found.set(user.id, user);
    }
    return [...found.values()];
  }

  findByName(name: string): RemoteUser | undefined {
    const key = nameKey(name);
    for (const node of this.#nodes.values()) {
      const user = node.byName.get(key);
      if (user) return user;
    }
    return undefined;
  }

  get(id: string): RemoteUser | undefined {
    for (const node of this.#nodes.values()) {
      const user = node.users.get(id);
      if (user) return user;
    }
    return undefined;
  }

  /** Whether the user is online on any node but `except`. */
  isOnlineElsewhere(id: string): boolean {
    return this.get(id) !== undefined;
  }

  get size(): number {
    const ids = new Set<string>();
    for (const node of this.#nodes.values()) for (const id of node.users.keys()) ids.add(id);
    return ids.size;
  }
}
