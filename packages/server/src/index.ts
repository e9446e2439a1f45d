export { ParleyServer, type BoundAddress } from './server.ts';
export { loadConfig, configKeyPaths, envNameFor, type ConfigResult } from './config/load-config.ts';
export { ConfigSchema, type Config } from './config/schema.ts';
export { DEFAULT_CONFIG_TOML } from './config/default-config.ts';
export { parseListenAddress, formatListenAddress, type ListenAddress } from './config/listen-address.ts';
export { createLogger } from './logger.ts';
export {
  type Store,
  type NewMessage,
  type StoredMessage,
  type AppendResult,
  type Account,
  type RoomRecord,
  type BanRecord,
  type BanKind,
  type AuditEntry,
  type StoredServerRole,
  type DeviceRecord,
  type DeviceStore,
  type NewDevice,
  type AccountKeyRecord,
  type AccountKeyStore,
  StoreError,
  dmConversation,
  ALL_CONVERSATION,
  SERVER_SCOPE,
} from './store/store.ts';
export { nameKey as nameKeyOf } from '@parley/protocol';
export { parseBanTarget } from './moderation/ban-target.ts';
export { BanSet, type BanSubject } from './moderation/ban-set.ts';
export { openConsoleSession, type ConsoleSession } from './moderation/console-session.ts';
export { canDisable } from './commands/authorize.ts';
export { loadOrCreateServerIdentity } from './federation/server-identity.ts';
export type { ReloadPlan } from './config/reload.ts';
export { openSqliteStore } from './store/sqlite/sqlite-store.ts';
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './store/postgres/pg-store.ts';
export { DataDirError } from './store/data-dir.ts';
export * from './cluster/index.ts';
export type { NameClaims } from './cluster/name-claims.ts';
export { openConfiguredStore } from './store/open-store.ts';
// Federation's wire, for tests that play a server of their own (forged envelopes, equivocation).
export { Link, type LinkPeer } from './federation/link.ts';
export { signSubmission, sealSubmission, signMembership, eventHash, type Envelope, type Submission } from './federation/envelope.ts';
export { ephemeralServerIdentity, type ServerIdentity } from './federation/server-identity.ts';
export { signAnnouncement } from './federation/routing.ts';
export type { LinkFrame } from './federation/link-frames.ts';
export { signRequest, signAnswer, answerVerifies, signWelcome } from './federation/e2e-signing.ts';
