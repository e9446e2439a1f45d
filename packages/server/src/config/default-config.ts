/**
 * The file `parley init` writes. It is also the reference for every key, so it must parse to
 * exactly `ConfigSchema.parse({})`; load-config.test.ts enforces that and that no key is missing.
 */
export const DEFAULT_CONFIG_TOML = `# parley.toml: Parley server configuration.
# Most keys take effect on restart. These reload live on SIGHUP or "parley admin reload":
# motd, [limits], moderation.bans_file, moderation.exempt_addresses, http.failover_urls and
# the files named in [tls].
#
# Every value below is the built-in default. Precedence, lowest to highest:
#   defaults < this file < .env in the working directory < PARLEY_* environment variables < CLI flags.
# Each key can also be set from the environment variable named beside it. In the environment,
# lists are comma-separated and booleans are true/false/yes/no/1/0.
# Relative paths resolve against the directory the server is started in.
# See docs/configuration.md for the full reference.

# Directory for the database, the generated TLS certificate and other server state.
# env: PARLEY_DATA_DIR
data_dir = "./data"

# Name this server reports to clients in its welcome message. 1-64 characters.
# env: PARLEY_SERVER_NAME
server_name = "parley"

# Message of the day sent to every client after login. Empty: none. Up to 1000 characters.
# env: PARLEY_MOTD
motd = ""

# Where messages, accounts and moderation live: "sqlite" (one file in data_dir, one process) or
# "postgres" (shared by the nodes of a cluster; see docs/cluster.md).
# env: PARLEY_STORE
store = "sqlite"

# PostgreSQL connection string, required with store = "postgres":
# "postgres://user:password@host:5432/database". Empty otherwise.
# env: PARLEY_STORE_URL
store_url = ""

# How committed messages and events reach the sessions of other nodes: "local" (this process
# only) or "nats" (a cluster's nodes, over core NATS at nats_url).
# env: PARLEY_BUS
bus = "local"

# NATS server(s) for bus = "nats"; a comma-separated list is tried in turn.
# env: PARLEY_NATS_URL
nats_url = "nats://127.0.0.1:4222"

# First token of every NATS subject the cluster uses; clusters sharing one NATS need different ones.
# env: PARLEY_NATS_SUBJECT_PREFIX
nats_subject_prefix = "parley"

# This node's name in a cluster (logs, /metrics, online-name claims): letters, digits, "_", "-".
# Empty: a random name at each start.
# env: PARLEY_NODE_ID
node_id = ""

[postgres]
# Used with store = "postgres". The schema holding Parley's tables (several clusters can share
# one database); the connection pool of each node; how long one statement may run; how long
# opening a connection may take.
# env: PARLEY_POSTGRES_SCHEMA
schema = "public"
# env: PARLEY_POSTGRES_POOL_SIZE
pool_size = 10
# env: PARLEY_POSTGRES_STATEMENT_TIMEOUT_MS
statement_timeout_ms = 5000
# env: PARLEY_POSTGRES_CONNECT_TIMEOUT_MS
connect_timeout_ms = 5000

[cluster]
# Delivery between nodes (see docs/cluster.md). A node waits gap_wait_ms for a missing message
# to arrive on the bus before reading it from the store; every tail_check_ms it compares what it
# delivered with the store (a publish lost when a node crashed); nodes send heartbeats every
# heartbeat_ms and a node silent for node_timeout_ms is taken as gone (its users go offline).
# env: PARLEY_CLUSTER_GAP_WAIT_MS
gap_wait_ms = 100
# env: PARLEY_CLUSTER_TAIL_CHECK_MS
tail_check_ms = 5000
# env: PARLEY_CLUSTER_HEARTBEAT_MS
heartbeat_ms = 1000
# env: PARLEY_CLUSTER_NODE_TIMEOUT_MS
node_timeout_ms = 5000

[federation]
# Link this server with other Parley servers (docs/federation.md): rooms "#dev@b.example" and
# users "alice@b.example" of other servers. Off unless enabled; server_name must then be a server
# name (letters, digits, ".", "-"), the one other servers address this one by.
# env: PARLEY_FEDERATION_ENABLED
enabled = false
# Federation listeners, always TLS 1.3 (the server's key proves who it is, not the certificate).
# env: PARLEY_FEDERATION_LISTEN
listen = ["127.0.0.1:30303"]
# Servers to link to: "host:port" (trusted on first use: the id it proves is pinned) or
# "<server id>@host:port" (it must prove that id). The console's "connect" adds more.
# env: PARLEY_FEDERATION_PEERS
peers = []
# Server ids allowed to link (empty: any that proves its key).
# env: PARLEY_FEDERATION_ALLOWLIST
allowlist = []
# Server ids never allowed; what they originate or home is dropped whoever relays it.
# env: PARLEY_FEDERATION_DENYLIST
denylist = []
# The most servers a frame crosses on its way (1-10); longer routes are not taken.
# env: PARLEY_FEDERATION_HOP_LIMIT
hop_limit = 10
# Links opened to servers learned from linked ones (their signed announcements), up to this many
# links in all. 0: only the peers above and those an operator connects.
# env: PARLEY_FEDERATION_AUTOCONNECT
autoconnect = 0
# A send to a room homed elsewhere waits this long for the home's seq, then is answered as
# pending (it is kept, and commits when the home is back).
# env: PARLEY_FEDERATION_SEND_WAIT_MS
send_wait_ms = 10000
# The largest frame a peer may send.
# env: PARLEY_FEDERATION_MAX_FRAME_BYTES
max_frame_bytes = 1048576
# Frames a peer may send per second (twice that in a burst).
# env: PARLEY_FEDERATION_FRAMES_PER_SECOND
frames_per_second = 5000

[tcp]
# Raw TCP listeners for the framed protocol. Forms: "host:port" and "tls://host:port" (TLS),
# "tcp://host:port" (plaintext, only for loopback or behind a TLS proxy), "[::1]:port" (IPv6).
# Port 0 picks a free port. An empty list disables the TCP transport.
# env: PARLEY_TCP_LISTEN
listen = ["127.0.0.1:12345"]

[http]
# HTTP listeners (web client, WebSocket transport). "host:port" serves plain HTTP and ws://;
# "https://host:port" serves HTTPS and wss:// with the [tls] certificate. Empty list disables.
# env: PARLEY_HTTP_LISTEN
listen = ["127.0.0.1:8080"]
# The WebSocket addresses of this server's other nodes (a cluster, docs/cluster.md), e.g.
# ["wss://node2.example.org:8443/ws", "wss://node3.example.org:8443/ws"]. The web client reads
# them from /client.json when its page loads and moves to the next one when its node is lost.
# Only ws:// and wss:// URLs. Empty: the page knows only the node it came from (enough behind one
# load-balanced name). Reloads live: pages loaded afterwards get the new list.
# env: PARLEY_HTTP_FAILOVER_URLS
failover_urls = []

[tls]
# PEM certificate chain and private key for TLS listeners. Set both or neither. When both are
# empty, a self-signed certificate is generated in <data_dir>/tls/ at first start and reused.
# env: PARLEY_TLS_CERT_FILE
cert_file = ""
# env: PARLEY_TLS_KEY_FILE
key_file = ""

[log]
# Minimum level logged: fatal, error, warn, info, debug, trace or silent.
# env: PARLEY_LOG_LEVEL
level = "info"
# Append JSON log lines to this file. Empty: log to standard output.
# env: PARLEY_LOG_FILE
file = ""

[accounts]
# Algorithm for new password hashes: argon2id or scrypt. Existing hashes keep verifying.
# env: PARLEY_ACCOUNTS_PASSWORD_HASH
password_hash = "argon2id"
# Shortest password accepted at registration, in characters.
# env: PARLEY_ACCOUNTS_MIN_PASSWORD_LENGTH
min_password_length = 8
# Whether clients may join as unregistered guests (GUEST command).
# env: PARLEY_ACCOUNTS_ALLOW_GUESTS
allow_guests = true

[rooms]
# Rooms that exist from the start and that new accounts join. Names start with "#".
# env: PARLEY_ROOMS_DEFAULT
default = ["#general"]
# Only operators may create rooms (CREATE, or JOIN of a room that does not exist yet).
# env: PARLEY_ROOMS_OPERATORS_CREATE
operators_create = false

[history]
# Days to keep stored messages. 0 keeps them forever.
# env: PARLEY_HISTORY_RETENTION_DAYS
retention_days = 0
# Messages per history page when a client does not ask for a size. 1-200.
# env: PARLEY_HISTORY_PAGE_SIZE
page_size = 50

[messages]
# How long after sending an author may edit a message, in ms. 0: never.
# env: PARLEY_MESSAGES_EDIT_WINDOW_MS
edit_window_ms = 86400000
# Keep a message's earlier versions after an edit (false: only the newest is kept).
# env: PARLEY_MESSAGES_KEEP_EDIT_HISTORY
keep_edit_history = true
# Typing notices one connection may send per minute; more are dropped silently.
# env: PARLEY_MESSAGES_TYPING_PER_MINUTE
typing_per_minute = 30

[limits]
# Let clients ask for compression at hello (permessage-deflate on WebSocket, a deflate stream
# on TCP). Off for a connection unless its client asks. It costs CPU per recipient.
# env: PARLEY_LIMITS_COMPRESSION
compression = true
# Largest protocol frame accepted or sent, in bytes. 512 to 16777216.
# env: PARLEY_LIMITS_MAX_FRAME_BYTES
max_frame_bytes = 65536
# Largest message text, in bytes of UTF-8.
# env: PARLEY_LIMITS_MAX_TEXT_BYTES
max_text_bytes = 16384
# Longest room topic, in characters.
# env: PARLEY_LIMITS_MAX_TOPIC_LENGTH
max_topic_length = 390
# Rooms one account may be a member of at once.
# env: PARLEY_LIMITS_MAX_ROOMS_PER_USER
max_rooms_per_user = 100
# Targets one send may name.
# env: PARLEY_LIMITS_MAX_RECIPIENTS
max_recipients = 20
# Concurrent connections across all listeners; more are refused.
# env: PARLEY_LIMITS_MAX_CONNECTIONS
max_connections = 10000
# Concurrent connections from one IP address.
# env: PARLEY_LIMITS_MAX_CONNECTIONS_PER_IP
max_connections_per_ip = 20
# Time a new connection has to complete the handshake, in milliseconds.
# env: PARLEY_LIMITS_HANDSHAKE_TIMEOUT_MS
handshake_timeout_ms = 10000
# Silence after which the server pings a connection, in milliseconds.
# env: PARLEY_LIMITS_IDLE_TIMEOUT_MS
idle_timeout_ms = 120000
# Time a pinged connection has to answer before it is dropped, in milliseconds.
# env: PARLEY_LIMITS_PING_TIMEOUT_MS
ping_timeout_ms = 30000
# Unsent bytes buffered per connection before a slow reader is disconnected. At least 4096.
# env: PARLEY_LIMITS_OUTBOUND_QUEUE_BYTES
outbound_queue_bytes = 1048576
# Sustained message rate allowed per user (an account's connections share it), per minute.
# env: PARLEY_LIMITS_MESSAGES_PER_MINUTE
messages_per_minute = 30
# Messages a connection may send in a burst above the sustained rate.
# env: PARLEY_LIMITS_MESSAGE_BURST
message_burst = 10
# Rate-limited messages after which the connection is disconnected for flooding.
# env: PARLEY_LIMITS_FLOOD_DISCONNECT_AFTER
flood_disconnect_after = 20
# Commands of any kind one connection may send per minute, before or after login.
# env: PARLEY_LIMITS_COMMANDS_PER_MINUTE_PER_CONNECTION
commands_per_minute_per_connection = 3000
# Commands one connection may send in a burst above that rate.
# env: PARLEY_LIMITS_COMMAND_BURST_PER_CONNECTION
command_burst_per_connection = 500
# Room joins and room creations per user, per minute.
# env: PARLEY_LIMITS_JOINS_PER_MINUTE
joins_per_minute = 20
# Joins and creations a user may make in a burst above that rate.
# env: PARLEY_LIMITS_JOIN_BURST
join_burst = 10
# Concurrent connections from one network (see cidr_prefix_v4 and cidr_prefix_v6).
# env: PARLEY_LIMITS_MAX_CONNECTIONS_PER_CIDR
max_connections_per_cidr = 100
# Prefix length that groups IPv4 addresses into one network for max_connections_per_cidr. 1-32.
# env: PARLEY_LIMITS_CIDR_PREFIX_V4
cidr_prefix_v4 = 24
# Prefix length that groups IPv6 addresses into one network for max_connections_per_cidr. 1-128.
# env: PARLEY_LIMITS_CIDR_PREFIX_V6
cidr_prefix_v6 = 64
# New connections one IP address may open per second, sustained.
# env: PARLEY_LIMITS_NEW_CONNECTIONS_PER_SECOND_PER_IP
new_connections_per_second_per_ip = 10
# New connections one IP address may open in a burst above that rate.
# env: PARLEY_LIMITS_NEW_CONNECTION_BURST_PER_IP
new_connection_burst_per_ip = 40
# Failed logins (per account and per address) before a lockout starts.
# env: PARLEY_LIMITS_LOGIN_FAILURES_BEFORE_LOCKOUT
login_failures_before_lockout = 5
# First lockout, in milliseconds; each further failure doubles it.
# env: PARLEY_LIMITS_LOGIN_LOCKOUT_MS
login_lockout_ms = 1000
# Longest lockout, in milliseconds.
# env: PARLEY_LIMITS_LOGIN_LOCKOUT_MAX_MS
login_lockout_max_ms = 900000
# Guest logins one IP address may make per minute, sustained.
# env: PARLEY_LIMITS_GUESTS_PER_MINUTE_PER_IP
guests_per_minute_per_ip = 20
# Guest logins one IP address may make in a burst above that rate.
# env: PARLEY_LIMITS_GUEST_BURST_PER_IP
guest_burst_per_ip = 40

[moderation]
# The first account registered on a fresh data dir becomes the server owner.
# env: PARLEY_MODERATION_FIRST_ACCOUNT_OWNER
first_account_owner = true
# Print a one-time operator password at start (and at each rotation) for /OPER <password>.
# env: PARLEY_MODERATION_OPER_PASSWORD
oper_password = true
# Minutes after which the operator password is replaced by a new one.
# env: PARLEY_MODERATION_OPER_PASSWORD_ROTATE_MINUTES
oper_password_rotate_minutes = 60
# How often the server checks the store for roles, bans and disabled commands changed by
# "parley admin" in another process, in milliseconds. At least 50.
# env: PARLEY_MODERATION_SYNC_INTERVAL_MS
sync_interval_ms = 2000
# Days to keep audit log entries (failed logins can add many); 0 keeps them forever.
# env: PARLEY_MODERATION_AUDIT_RETENTION_DAYS
audit_retention_days = 365
# A file of server bans, one per line: "<name|ip|cidr|key:fingerprint> [reason]"; "#" comments.
# Read at start and on reload. Empty: none.
# env: PARLEY_MODERATION_BANS_FILE
bans_file = ""
# Addresses and CIDRs exempt from the per-address throttles: max_connections_per_cidr,
# new_connections_per_second_per_ip, guests_per_minute_per_ip and the per-address login
# lockout (the per-account lockout, max_connections_per_ip and bans still apply). Loopback by
# default, so a reverse proxy on the same machine does not throttle all its clients as one.
# env: PARLEY_MODERATION_EXEMPT_ADDRESSES
exempt_addresses = ["127.0.0.0/8", "::1"]
`;
