import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Store } from '../store/store.ts';
import type { MessageWriter } from '../chat/message-writer.ts';
import type { RoomDirectory } from '../chat/room-directory.ts';
import type { Router } from '../chat/router.ts';
import type { ConversationDelivery } from '../chat/conversation-delivery.ts';
import type { Bus } from '../cluster/bus.ts';
import type { ClusterLink } from '../chat/cluster-link.ts';
import type { Federation } from '../federation/federation.ts';
import type { NameClaims } from '../cluster/name-claims.ts';
import type { UserDirectory } from '../chat/user-directory.ts';
import type { User } from '../chat/user.ts';
import type { Metrics } from '../metrics.ts';
import type { Moderation } from '../moderation/moderation.ts';
import type { ParleyError } from '@parley/protocol';
import type { Inbound } from './inbound.ts';
import type { Flusher } from './outbound.ts';
import type { Session } from './session.ts';

/** Everything a command handler or transport may use; built once by ParleyServer. */
export interface ServerContext {
  readonly config: Config;
  readonly store: Store;
  readonly users: UserDirectory;
  readonly rooms: RoomDirectory;
  readonly router: Router;
  /** The bus between commits and sessions (in-process, or NATS between a cluster's nodes). */
  readonly bus: Bus;
  /** Committed messages to this node's sessions, in seq order, from this node or another. */
  readonly delivery: ConversationDelivery;
  /** Whether the bus reaches other nodes: this server is one node of a cluster. */
  readonly clustered: boolean;
  /** Set when this server is one node of a cluster (the bus reaches other nodes). */
  cluster: ClusterLink | undefined;
  /** Set when federation is enabled: links to other servers, rooms they follow here and rooms mirrored from them. */
  federation: Federation | undefined;
  /** Online names across a cluster's nodes; absent on a single node. */
  claims: NameClaims | undefined;
  /** This node's id: `node_id`, or a random one for this run. */
  readonly nodeId: string;
  readonly writer: MessageWriter;
  readonly flusher: Flusher;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Roles, bans, disabled commands and abuse guards. */
  readonly moderation: Moderation;
  /**
   * Runs one inbound command for a session (commands/run-command.ts, passed in by ParleyServer):
   * sessions reach the command table through it, so the core layer never imports commands.
   */
  readonly dispatch: (session: Session, inbound: Inbound) => Promise<void>;
  /** Bound listener addresses ("tls://127.0.0.1:6697", "http://…"), filled in as they bind. */
  readonly listeners: string[];
  readonly sessions: Set<Session>;
  readonly startedAt: number;
  readonly version: string;
}

/**
 * Who is acting: a logged-in user on one of its connections. Checks of what it may do read
 * the session's role, not only the account's (an /oper-elevated connection outranks the others).
 */
export interface Actor {
  readonly server: ServerContext;
  readonly session: Session;
  readonly user: User;
}

/** How a command ended, as a session replies it: the structured data and text lines, or a coded error. */
export type CommandOutcome = { ok: true; data: unknown; text?: string | string[] | undefined } | { ok: false; error: ParleyError };
