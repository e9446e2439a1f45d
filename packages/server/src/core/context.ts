import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Store } from '../store/store.ts';
import type { MessageWriter } from '../chat/message-writer.ts';
import type { RoomDirectory } from '../chat/room-directory.ts';
import type { Router } from '../chat/router.ts';
import type { UserDirectory } from '../chat/user-directory.ts';
import type { User } from '../chat/user.ts';
import type { Metrics } from '../metrics.ts';
import type { Moderation } from '../moderation/moderation.ts';
import type { Flusher } from './outbound.ts';
import type { Session } from './session.ts';

/** Everything a command handler or transport may use; built once by ParleyServer. */
export interface ServerContext {
  readonly config: Config;
  readonly store: Store;
  readonly users: UserDirectory;
  readonly rooms: RoomDirectory;
  readonly router: Router;
  readonly writer: MessageWriter;
  readonly flusher: Flusher;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Roles, bans, disabled commands and abuse guards (issue 6). */
  readonly moderation: Moderation;
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
