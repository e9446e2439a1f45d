import type { ChatMessage, PresenceStatus } from './events.ts';
import type { Verb } from './commands.ts';

/** The `data` of a successful reply, per verb. Server handlers and the SDK are typed by this map. */
export interface RoomSummary {
  name: string;
  topic: string;
  /** Members online now. */
  members: number;
  /** The room is end-to-end encrypted (mode `encrypted`): send to it through the MLS verbs. */
  encrypted?: true;
}

export interface MemberInfo {
  name: string;
  status: PresenceStatus;
  kind: 'account' | 'guest';
}

/**
 * A member as `who` lists it: `role` only for the room's owners and moderators; `muted` only
 * for a muted member, and only when the one asking moderates the room.
 */
export interface RoomMemberInfo extends MemberInfo {
  role?: 'owner' | 'moderator';
  muted?: true;
  /** A member from another server (federation; `name` is `name@server`): its presence is not known here, `status` says online. */
  server?: string;
}

export interface LoginData {
  name: string;
  /** The user's stable id ("a<n>" for an account, "g…" for a guest). */
  id: string;
  /**
   * What this user's device certificates name: on a federating server `<id>@<server id>`, unique
   * across the network (other servers name the user so too); absent, `id`. A client strips
   * `@<server id>` from a certificate's user id to get the id this server uses.
   */
  e2e_id?: string;
  kind: 'account' | 'guest';
  /** The rooms it is in now; `muted` where it is muted (as in the `join` reply). */
  rooms: (RoomSummary & { muted?: true })[];
  /** The device this connection signed in as: after a token login, or a login that asked to `remember`. */
  device?: DeviceGrant;
}

/**
 * A device credential as its own connection learns it. `token` is there only in the reply that
 * issued it: the server keeps a hash, so this is the one time anyone sees it.
 */
export interface DeviceGrant {
  id: number;
  label: string;
  token?: string;
}

/** A device credential as `devices` lists it (never its token). Times are ms since epoch. */
export interface DeviceInfo {
  id: number;
  label: string;
  created: number;
  lastUsed: number;
  /** The address of its last sign-in. */
  lastAddress: string;
  /** The device this connection signed in as. */
  current?: true;
}

export interface SentReceipt {
  /** The target as recipients see it: "#room", a user name, or "ALL". */
  to: string;
  conv: string;
  seq: number;
  /** True when this cmid was stored before; `seq` is the original one. */
  duplicate: boolean;
  /**
   * A room homed on another server that has not answered yet (unreachable, or slower than
   * federation.send_wait_ms): the message is kept and commits when the home takes it; `seq` is 0
   * until then, and the message arrives as an event like any other.
   */
  pending?: true;
}

/** Server-wide roles, lowest to highest. Guests are connections without an account. */
export type ServerRole = 'guest' | 'user' | 'operator' | 'owner';
/** Roles inside one room, lowest to highest. The creator of a room is its first owner. */
export type RoomRole = 'member' | 'moderator' | 'owner';

export interface BanInfo {
  /** "server" or a room name. */
  scope: string;
  kind: 'account' | 'ip' | 'key';
  /** The account name key, the address or CIDR, or the key fingerprint. */
  target: string;
  reason: string;
  by: string;
  at: number;
  /** Ms since epoch; null for a permanent ban. */
  expires: number | null;
}

export interface AuditInfo {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

export interface RoomModes {
  inviteOnly: boolean;
  /** Whether a password is set (the password itself is never sent). */
  password: boolean;
  moderated: boolean;
  topicLock: boolean;
  /** End-to-end encrypted: set at creation or by an owner, never turned off. */
  encrypted: boolean;
}

export interface UserInfo {
  name: string;
  kind: 'account' | 'guest';
  role: ServerRole;
  online: boolean;
  /** Ms since epoch when the account was created (accounts only). */
  created?: number;
  sessions: { id: number; since: number; transport: string; ip?: string }[];
  rooms: { name: string; role: RoomRole }[];
}

export interface ServerInfo {
  name: string;
  version: string;
  uptimeSeconds: number;
  connections: number;
  usersOnline: number;
  rooms: number;
  accounts: number;
  storeBytes: number;
  listeners: string[];
}

/** A server this one knows, as `peers` lists it. Times are ms since epoch. */
export interface PeerInfo {
  name: string;
  id: string;
  /** Linked to this server directly. */
  linked: boolean;
  /** Servers crossed on the current route to it (1: linked); absent when no route reaches it. */
  hops?: number;
  lastSeen: number;
  /** Where it was reached, "host:port", newest first. */
  addresses: string[];
  /** Its links are refused and what it sends is dropped. */
  denied: boolean;
}

/** An address this server keeps dialing that has no link up: `id` once it is pinned (configured, or proved at a first link). */
export interface DialTargetInfo {
  host: string;
  port: number;
  id?: string;
}

/** One direct conversation as `conversations` lists it. */
export interface DirectConversationInfo {
  /** The conversation id (`dm:<idA>:<idB>`): what `history` and cursors take. */
  conv: string;
  /** The other person's display name (yourself, for notes to self); a guest's as it was in its last message. */
  with: string;
  /** Whether the other person is a guest: a guest who left cannot come back or get messages. */
  kind: 'account' | 'guest';
  lastSeq: number;
  /** When the newest stored message was sent (ms since epoch). */
  lastTs: number;
}

/** One conversation's read state: `read`, the seq read up to; `unread`, messages from others after it (edits and reactions not counted). */
export interface UnreadInfo {
  conv: string;
  /** The room's name, or the other person's name for a direct conversation. */
  with: string;
  read: number;
  last: number;
  unread: number;
}

export interface ReplyData {
  hello: {
    server: string;
    version: string;
    protocol: number;
    motd: string;
    /** The compression the connection uses from the frame after this reply on, when `hello` asked for one and the server allows it. */
    compress?: 'deflate';
    limits: { maxFrameBytes: number; maxTextBytes: number; maxRecipients: number; messagesPerMinute: number; messageBurst: number };
  };
  guest: LoginData;
  register: LoginData;
  login: LoginData;
  nick: { old: string; name: string };
  send: { sent: SentReceipt[] };
  /** The event that carries the change (its own seq) and the message it is about (`ref`). */
  edit: SentReceipt & { ref: number };
  redact: SentReceipt & { ref: number };
  react: SentReceipt & { ref: number };
  typing: { conv: string };
  read: { conv: string; seq: number };
  unread: { conversations: UnreadInfo[] };
  /** Newest first, each in its current version; open one in context with `history` around its `seq`. */
  search: { results: ChatMessage[] };
  /** `conv` is the room's conversation id (for cursors); `lastSeq` its newest message. */
  /** `muted` when the one joining is muted in the room (their sends will be refused with MUTED). */
  join: RoomSummary & { conv: string; lastSeq: number; muted?: true };
  part: { room: string };
  create: RoomSummary & { conv: string; lastSeq: number };
  delete: { room: string };
  rooms: { rooms: RoomSummary[] };
  who: { room: string; members: RoomMemberInfo[] };
  list: { users: MemberInfo[]; counts: { online: number; guests: number; accounts: number; connections: number } };
  topic: { room: string; topic: string };
  history: { conv: string; messages: ChatMessage[] };
  resume: { replayed: number; more: string[]; refused: string[] };
  conversations: { conversations: DirectConversationInfo[] };
  presence: { status: 'online' | 'away' };
  help: {
    commands: { cmd: Verb; summary: string; auth: 'any' | 'anonymous' | 'user'; role: ServerRole; roomRole?: RoomRole }[];
    /** Verbs an operator disabled at runtime. */
    disabled: Verb[];
  };
  ping: { token: string };
  pong: Record<string, never>;
  quit: Record<string, never>;
  oper: { role: ServerRole };
  serverinfo: ServerInfo;
  userinfo: UserInfo;
  kick: { name: string; room?: string; sessions: number };
  /** `addresses`: the address bans a name ban took along; `skipped`: exempt addresses it left alone. */
  ban: BanInfo & { disconnected: number; addresses: BanInfo[]; skipped: string[] };
  unban: { scope: string; kind: BanInfo['kind']; target: string };
  listbans: { bans: BanInfo[] };
  broadcast: { recipients: number };
  mute: { room: string; name: string };
  unmute: { room: string; name: string };
  mode: { room: string; modes: RoomModes };
  invite: { room: string; name: string };
  roomrole: { room: string; name: string; role: RoomRole };
  grant: { name: string; role: ServerRole };
  disable: { command: Verb; disabled: Verb[] };
  enable: { command: Verb; disabled: Verb[] };
  audit: { entries: AuditInfo[] };
  /** `id` and `name`: this server's own. `dialing`: addresses kept dialed with no link up yet. */
  peers: { id: string; name: string; peers: PeerInfo[]; dialing: DialTargetInfo[] };
  connect: { host: string; port: number };
  /** `id` absent: an address being dialed that never linked (`name` is its host:port). */
  disconnect: { name: string; id?: string };
  /** `name`: the account whose devices these are, oldest first. */
  devices: { name: string; devices: DeviceInfo[] };
  /** `sessions`: the connections signed in with it, now closed with DEVICE_REVOKED. */
  revoke: { id: number; name: string; label: string; sessions: number };
  /** `binding`: how to tie the signature to this connection (key-proof.ts); the nonce is single-use. */
  challenge: { nonce: string; server: string; binding: 'tls-exporter' | 'none'; expiresInMs: number };
  keys: { name: string; keys: KeyInfo[] };
  addkey: KeyInfo;
  /** `sessions`: the connections signed in with it, now closed with DEVICE_REVOKED. */
  removekey: { key: string; sessions: number };
  /** `first`: the identity key was registered by this call (the user had none, or `reset`). */
  edevice: { user_id: string; device_id: string; identity_key: string; first: boolean };
  edevices: E2eDirectoryEntry;
  eremovedevice: { device_id: string };
  /** `count`: one-time KeyPackages the server now keeps for this device. */
  kpupload: { stored: number; count: number; last_resort: boolean };
  /** `missing`: devices with no KeyPackage left (not even a last-resort one). */
  kpclaim: { user_id: string; packages: { device_id: string; key_package: string }[]; missing: string[] };
  egroup: E2eGroupInfo;
  egroupinfo: E2eGroupInfo;
  /** The people whose devices belong in the conversation's group: a room's members (accounts whether online or not, guests online), a DM's people. */
  emembers: { conv: string; members: { user_id: string; name: string }[] };
  /** The commit's message in the conversation, and the epoch the group is in now. */
  ecommit: { conv: string; seq: number; epoch: number };
  esend: { sent: SentReceipt[] };
  etreepart: { group: string; index: number; count: number };
  welcomes: { welcomes: E2eWelcome[] };
  welcomeack: { group: string };
}

export interface E2eDevice {
  device_id: string;
  /** The device certificate, base64url (docs/e2e.md). */
  certificate: string;
}

/** `identity_key` is null for a user who has no end-to-end device. */
export interface E2eDirectoryEntry {
  name: string;
  user_id: string;
  identity_key: string | null;
  devices: E2eDevice[];
}

export interface E2eGroupInfo {
  conv: string;
  group: string;
  epoch: number;
  members: { user_id: string; device_id: string }[];
}

/** A Welcome for this device: join at `epoch`, then read the conversation after `seq`. */
export interface E2eWelcome {
  conv: string;
  group: string;
  epoch: number;
  seq: number;
  welcome: string;
  tree: string;
}

/** A login key of an account; `lastUsedAt` is its last login (ms since epoch). */
export interface KeyInfo {
  key: string;
  label: string;
  createdAt: number;
  lastUsedAt: number;
}
