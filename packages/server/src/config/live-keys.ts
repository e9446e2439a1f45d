/**
 * The one table of what a reload (SIGHUP, `parley admin reload`, the console's `reload`)
 * applies without a restart. A key is a config path, or a section whose every key is live.
 * `when` says what a new value reaches: everything at once, or what is made after the reload
 * (connections, logins). Everything else (listeners, the data dir, logging, ...) is set up once
 * at start and needs a restart; docs/configuration.md marks exactly these keys **Live.** (a test
 * checks it).
 */
export type LiveWhen = 'at once' | 'new connections' | 'new logins';

export const LIVE_KEYS: Readonly<Record<string, LiveWhen>> = {
  motd: 'new logins',
  'tls.cert_file': 'new connections',
  'tls.key_file': 'new connections',
  'moderation.bans_file': 'at once',
  'moderation.exempt_addresses': 'at once',
  limits: 'at once',
  // Read by /client.json at each request; a page already open keeps the list it loaded.
  'http.failover_urls': 'at once',
  // Federation: links to servers a new denylist or allowlist excludes close at once.
  'federation.allowlist': 'at once',
  'federation.denylist': 'at once',
  'federation.hop_limit': 'at once',
  'federation.autoconnect': 'at once',
  'federation.send_wait_ms': 'at once',
  'federation.max_frame_bytes': 'new connections',
  'federation.frames_per_second': 'new connections',
  // Read at each edit; a connection's typing bucket is made at its first notice.
  'messages.edit_window_ms': 'at once',
  'messages.keep_edit_history': 'at once',
  'messages.typing_per_minute': 'new connections',
};

/**
 * Limits read into state made at connection or login time keep, for what exists, the value
 * they were made with: a connection's frame size limit and command bucket, a user's message
 * bucket. Every other limit is read where it is used, at once.
 */
export const LIMITS_FOR_NEW: Readonly<Record<string, LiveWhen>> = {
  max_frame_bytes: 'new connections',
  // Asked for at hello: a connection keeps what it negotiated.
  compression: 'new connections',
  commands_per_minute_per_connection: 'new connections',
  command_burst_per_connection: 'new connections',
  messages_per_minute: 'new logins',
  message_burst: 'new logins',
};

/** Whether a reload applies the key (a leaf path such as "limits.idle_timeout_ms"). */
export function isLiveKey(path: string): boolean {
  return Object.keys(LIVE_KEYS).some((key) => path === key || path.startsWith(`${key}.`));
}
