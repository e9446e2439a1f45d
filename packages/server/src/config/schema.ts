import { isIP } from 'node:net';
import { z } from 'zod';

function isAddressOrCidr(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * The configuration schema: the single source of truth for every key, its type and its default.
 * TOML keys are snake_case; environment variable names derive from the key path
 * (`limits.max_frame_bytes` -> `PARLEY_LIMITS_MAX_FRAME_BYTES`). Objects are strict so that a
 * misspelt key is an error, not a silently ignored setting.
 */
const positiveInt = z.number().int().positive();
const listenList = z.array(z.string().min(1));
const serverIdString = z.string().regex(/^ps1[A-Za-z0-9_-]{43}$/, 'a server id: "ps1" and 43 base64url characters');

/** A browser can only open ws:// and wss:// (the WHATWG WebSocket constructor refuses other schemes). */
function isWebSocketUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '';
}

export const ConfigSchema = z
  .object({
    data_dir: z.string().min(1).default('./data'),
    server_name: z.string().min(1).max(64).default('parley'),
    /** Where messages, accounts and moderation live: the embedded SQLite file, or a PostgreSQL shared by a cluster's nodes. */
    store: z.enum(['sqlite', 'postgres']).default('sqlite'),
    /** The PostgreSQL connection string (`postgres://user@host:5432/db`); required with store = "postgres". */
    store_url: z.string().default(''),
    /** How committed messages reach other nodes' sessions: in this process only, or over NATS. */
    bus: z.enum(['local', 'nats']).default('local'),
    nats_url: z.string().min(1).default('nats://127.0.0.1:4222'),
    /** The first token of every subject this cluster uses: clusters sharing one NATS keep apart. */
    nats_subject_prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only').max(64).default('parley'),
    /** This node's name in a cluster (logs, metrics, name claims); empty: a random one at each start. */
    node_id: z.string().max(64).regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-" only').default(''),
    postgres: z
      .strictObject({
        /** The tables' schema: several clusters (or tests) can share one database. */
        schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier').max(63).default('public'),
        pool_size: positiveInt.max(200).default(10),
        statement_timeout_ms: positiveInt.default(5000),
        connect_timeout_ms: positiveInt.default(5000),
      })
      .prefault({}),
    cluster: z
      .strictObject({
        /** How long a node waits for a missing seq to arrive on the bus before reading it from the store. */
        gap_wait_ms: positiveInt.default(100),
        /** How often a node compares what it delivered with the store's last seqs (a publish lost in a crash). */
        tail_check_ms: positiveInt.min(100).default(5000),
        /** Node heartbeats on the bus; a node silent for node_timeout_ms is taken as gone. */
        heartbeat_ms: positiveInt.min(50).default(1000),
        node_timeout_ms: positiveInt.min(200).default(5000),
      })
      .prefault({}),
    federation: z
      .strictObject({
        /** Link with other Parley servers (docs/federation.md): off unless asked for. */
        enabled: z.boolean().default(false),
        /** Federation listeners: always TLS 1.3 (a tcp:// entry is refused). */
        listen: listenList.default(['127.0.0.1:30303']),
        /** Servers to link to: "host:port", or "<server id>@host:port" to pin the id it must prove. */
        peers: z.array(z.string().min(1)).default([]),
        /** Only these server ids may link (empty: any server that proves its key). */
        allowlist: z.array(serverIdString).default([]),
        /** These server ids may not link, and whatever they originate or home is dropped. */
        denylist: z.array(serverIdString).default([]),
        /** The most servers a frame crosses to reach its destination (routes longer than this are not taken). */
        hop_limit: positiveInt.max(10).default(10),
        /** Links opened on its own to servers learned from linked ones, up to this many links in all (0: only configured and connected peers). */
        autoconnect: z.number().int().min(0).max(100).default(0),
        /** How long a send to a room homed elsewhere waits for the home's seq before it is answered as pending. */
        send_wait_ms: positiveInt.max(60_000).default(10_000),
        max_frame_bytes: positiveInt.min(64 * 1024).max(16 * 1024 * 1024).default(1024 * 1024),
        /** Frames a peer may send per second (twice that in a burst); above it the link closes (FEDERATION_LIMIT). */
        frames_per_second: positiveInt.min(10).default(5000),
      })
      .prefault({}),
    motd: z.string().max(1000).default(''),
    tcp: z.strictObject({ listen: listenList.default(['127.0.0.1:12345']) }).prefault({}),
    http: z
      .strictObject({
        listen: listenList.default(['127.0.0.1:8080']),
        /** The other nodes' WebSocket addresses, which the web client fails over to (served at /client.json). */
        failover_urls: z
          .array(z.string().refine(isWebSocketUrl, { error: (issue) => `expected a ws:// or wss:// URL such as "wss://node2.example.org:8443/ws", got ${JSON.stringify(issue.input)}` }))
          .default([]),
      })
      .prefault({}),
    tls: z
      .strictObject({
        cert_file: z.string().default(''),
        key_file: z.string().default(''),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        file: z.string().default(''),
      })
      .prefault({}),
    accounts: z
      .strictObject({
        password_hash: z.enum(['argon2id', 'scrypt']).default('argon2id'),
        min_password_length: positiveInt.default(8),
        allow_guests: z.boolean().default(true),
      })
      .prefault({}),
    rooms: z
      .strictObject({
        default: z.array(z.string().min(2)).default(['#general']),
        operators_create: z.boolean().default(false),
      })
      .prefault({}),
    history: z
      .strictObject({
        retention_days: z.number().int().nonnegative().default(0),
        page_size: positiveInt.max(200).default(50),
      })
      .prefault({}),
    messages: z
      .strictObject({
        edit_window_ms: z.number().int().nonnegative().default(24 * 3600_000),
        keep_edit_history: z.boolean().default(true),
        typing_per_minute: positiveInt.default(30),
      })
      .prefault({}),
    limits: z
      .strictObject({
        compression: z.boolean().default(true),
        max_frame_bytes: positiveInt.min(512).max(16 * 1024 * 1024).default(64 * 1024),
        max_text_bytes: positiveInt.default(16 * 1024),
        max_topic_length: positiveInt.default(390),
        max_rooms_per_user: positiveInt.default(100),
        max_recipients: positiveInt.default(20),
        max_connections: positiveInt.default(10000),
        max_connections_per_ip: positiveInt.default(20),
        handshake_timeout_ms: positiveInt.default(10000),
        idle_timeout_ms: positiveInt.default(120000),
        ping_timeout_ms: positiveInt.default(30000),
        outbound_queue_bytes: positiveInt.min(4096).default(1024 * 1024),
        messages_per_minute: positiveInt.default(30),
        message_burst: positiveInt.default(10),
        flood_disconnect_after: positiveInt.default(20),
        commands_per_minute_per_connection: positiveInt.default(3000),
        command_burst_per_connection: positiveInt.default(500),
        joins_per_minute: positiveInt.default(20),
        join_burst: positiveInt.default(10),
        max_connections_per_cidr: positiveInt.default(100),
        cidr_prefix_v4: positiveInt.max(32).default(24),
        cidr_prefix_v6: positiveInt.max(128).default(64),
        new_connections_per_second_per_ip: positiveInt.default(10),
        new_connection_burst_per_ip: positiveInt.default(40),
        login_failures_before_lockout: positiveInt.default(5),
        login_lockout_ms: positiveInt.default(1000),
        login_lockout_max_ms: positiveInt.default(900000),
        guests_per_minute_per_ip: positiveInt.default(20),
        guest_burst_per_ip: positiveInt.default(40),
      })
      .prefault({}),
    moderation: z
      .strictObject({
        first_account_owner: z.boolean().default(true),
        oper_password: z.boolean().default(true),
        oper_password_rotate_minutes: z.number().positive().default(60),
        sync_interval_ms: positiveInt.min(50).default(2000),
        audit_retention_days: z.number().int().nonnegative().default(365),
        bans_file: z.string().default(''),
        exempt_addresses: z
          .array(z.string().refine(isAddressOrCidr, 'expected an IP address or CIDR such as "127.0.0.0/8" or "::1"'))
          .default(['127.0.0.0/8', '::1']),
      })
      .prefault({}),
  })
  .strict()
  .refine((c) => c.store !== 'postgres' || c.store_url !== '', { path: ['store_url'], message: 'store = "postgres" needs store_url (PARLEY_STORE_URL), e.g. postgres://postgres@127.0.0.1:5432/parley' });

export type Config = Readonly<z.infer<typeof ConfigSchema>>;
export type Limits = Config['limits'];
