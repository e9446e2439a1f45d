/**
 * The directory part of the store: accounts, rooms, stored memberships and device credentials.
 *
 * Concurrency: each method is one atomic statement or transaction, safe to call from several
 * processes at once. Uniqueness (account names, room keys, device tokens) is enforced by the
 * store itself, so two nodes racing to create the same name get one success and one
 * StoreError 'conflict'. What the store cannot know is who is online: whether a room is empty of
 * online members is the server's (and, in a cluster, the cluster's) to tell, not the store's.
 */

export interface Account {
  id: number;
  name: string;
  nameKey: string;
  passwordHash: string;
  createdAt: number;
}

export interface RoomRecord {
  /** Normalized name with its '#', also the room's conversation id. */
  key: string;
  name: string;
  topic: string;
  createdBy: string;
  createdAt: number;
  modes: StoredRoomModes;
}

export interface StoredRoomModes {
  inviteOnly: boolean;
  /** A password hash (identity/passwords.ts format); '' when the room has no password. */
  passwordHash: string;
  moderated: boolean;
  topicLock: boolean;
  /** End-to-end encrypted: plaintext sends are refused. Never turned off once on. */
  encrypted: boolean;
}

export const NO_ROOM_MODES: StoredRoomModes = Object.freeze({ inviteOnly: false, passwordHash: '', moderated: false, topicLock: false, encrypted: false });

export interface DirectoryStore {
  /** Rejects with StoreError code 'conflict' when the name key is taken (by any node). */
  createAccount(input: { name: string; nameKey: string; passwordHash: string }): Promise<Account>;
  findAccount(nameKey: string): Promise<Account | undefined>;
  countAccounts(): Promise<number>;

  /** Rejects with StoreError code 'conflict' when the room key exists. */
  createRoom(input: { key: string; name: string; topic: string; createdBy: string; encrypted?: boolean }): Promise<RoomRecord>;
  /**
   * Also removes the room's memberships, grants and messages in one transaction; its
   * conversation keeps its last seq, so a room recreated under the same name continues the
   * sequence. False when there was no such room (another node deleted it first).
   */
  deleteRoom(key: string): Promise<boolean>;
  listRooms(): Promise<RoomRecord[]>;
  /** Last writer wins. */
  setTopic(key: string, topic: string): Promise<void>;

  /** Persistent room membership of accounts (guests are members only while online). Idempotent. */
  addMember(roomKey: string, accountId: number): Promise<void>;
  removeMember(roomKey: string, accountId: number): Promise<void>;
  roomsOf(accountId: number): Promise<string[]>;
  /** Whether any account holds a stored membership of the room (whether a guest's room may close). */
  hasMembers(roomKey: string): Promise<boolean>;
  /** The accounts holding a stored membership of the room, with their names (who an encrypted room's group is for). */
  roomMembers(roomKey: string): Promise<{ accountId: number; name: string }[]>;

  /** Device credentials of accounts (see DeviceStore). */
  readonly devices: DeviceStore;
  /** Public keys that log in to accounts (see AccountKeyStore). */
  readonly keys: AccountKeyStore;
}

/**
 * A public key that logs in to an account by signing a challenge (commands/key-login.ts): an
 * Ed25519 key, its raw 32 bytes in base64url. A key belongs to one account at most.
 */
export interface AccountKeyRecord {
  key: string;
  accountId: number;
  /** The account's display name, read with the record. */
  accountName: string;
  label: string;
  createdAt: number;
  lastUsedAt: number;
}

/**
 * The login keys part of the store. Each method is one statement, atomic on its own; the key is
 * unique across accounts, so two nodes adding one key to two accounts store it once (the other
 * gets 'conflict'). Keys go with their account.
 */
export interface AccountKeyStore {
  /** Rejects with StoreError 'conflict' when the key belongs to an account already. */
  add(input: { accountId: number; key: string; label: string; at: number }): Promise<AccountKeyRecord>;
  /** An account's keys, oldest first. */
  listFor(accountId: number): Promise<AccountKeyRecord[]>;
  find(key: string): Promise<AccountKeyRecord | undefined>;
  /** Records a login with the key; false when it no longer exists (removed meanwhile). */
  touch(key: string, at: number): Promise<boolean>;
  /** False when the account has no such key. */
  remove(accountId: number, key: string): Promise<boolean>;
}

/**
 * A device that stays signed in to an account. Today it proves itself with a random token; the
 * end-to-end encryption work adds the device's public key to the same record, so listing,
 * revoking and auditing stay one mechanism whichever way a device signs in.
 */
export interface DeviceRecord {
  id: number;
  accountId: number;
  /** The account's display name, read with the record (listings and audit lines need it). */
  accountName: string;
  label: string;
  /** SHA-256 of the token, lower-case hex. The token itself is never stored. */
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number;
  lastAddress: string;
}

export interface NewDevice {
  accountId: number;
  label: string;
  tokenHash: string;
  /** Ms since epoch: the device's creation and first use. */
  at: number;
  address: string;
}

/**
 * The device credentials part of the store. Each method is one statement, atomic on its own;
 * ids increase and are never reused, so a revoked id cannot come back as someone else's device.
 * Devices go with their account (an account's removal removes them). A revoke on one node and a
 * sign-in on another race to one outcome: `touch` after `remove` answers false.
 */
export interface DeviceStore {
  /** Rejects with StoreError 'conflict' when the token hash is stored already. */
  create(device: NewDevice): Promise<DeviceRecord>;
  /** An account's devices, oldest first. */
  listFor(accountId: number): Promise<DeviceRecord[]>;
  find(id: number): Promise<DeviceRecord | undefined>;
  /** Records a sign-in with the device; false when it no longer exists (revoked meanwhile). */
  touch(id: number, use: { at: number; address: string }): Promise<boolean>;
  /** False when there was no such device. */
  remove(id: number): Promise<boolean>;
}
