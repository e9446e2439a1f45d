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
  StoreError,
  dmConversation,
  ALL_CONVERSATION,
} from './store/store.ts';
export { openSqliteStore } from './store/sqlite/sqlite-store.ts';
