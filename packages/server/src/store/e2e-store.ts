import type { NewMessage, StoredMessage } from './message-log.ts';

/**
 * The end-to-end encryption part of the store: what the server keeps as MLS's Delivery Service
 * (docs/e2e.md). It never holds a private key or a plaintext: identity and device public keys,
 * device certificates, public KeyPackages, each conversation's group (id, epoch, ratchet tree,
 * member devices) and the Welcomes waiting for devices. Every value that is MLS or key bytes is
 * stored as the base64url text the wire carries.
 *
 * User ids are the server's ("a<account id>" or a guest's "g…"). A guest's rows are removed when
 * it leaves (`forgetUser`).
 *
 * Concurrency: each method is one transaction, safe from several nodes at once. The one that
 * matters is `commitGroup`: two nodes accepting commits for the same epoch of one group is
 * exactly what it rules out.
 */

export interface E2eDeviceRecord {
  userId: string;
  deviceId: string;
  /** The device certificate (base64url), as registered. */
  certificate: string;
  /** The certified device public key (base64url). */
  deviceKey: string;
  createdAt: number;
}

export interface KeyPackageRecord {
  /** RFC 9420 KeyPackageRef, base64url: unique per device. */
  ref: string;
  /** The KeyPackage MLSMessage, base64url. */
  data: string;
  /** Unix ms: a package past it is never handed out (and may be deleted). */
  notAfter: number;
}

export interface E2eGroupRecord {
  groupId: string;
  conv: string;
  epoch: number;
  /** The ratchet tree as the last commit that carried one sent it (base64url; every commit with a Welcome does). */
  tree: string;
  createdAt: number;
}

export interface GroupDevice {
  userId: string;
  deviceId: string;
}

export interface WelcomeRecord extends GroupDevice {
  groupId: string;
  conv: string;
  /** The epoch the Welcome joins at. */
  epoch: number;
  /** Seq of the commit's message in the conversation: the joiner reads after it. */
  seq: number;
  welcome: string;
  /** The ratchet tree of that epoch. */
  tree: string;
  createdAt: number;
}

export interface CommitInput {
  groupId: string;
  /** The epoch the commit is for; it is accepted only if the group is still at it. */
  epoch: number;
  /** The ratchet tree of the epoch the commit leads to; a commit without a Welcome may leave it out (the group keeps the last one sent). */
  tree?: string;
  added: readonly GroupDevice[];
  removed: readonly GroupDevice[];
  /** The commit as a message of the conversation (kind 'mls_commit'), appended like appendMessages does. */
  message: NewMessage;
  /** One row per added device; each gets `seq` of the appended message and `tree`. */
  welcome?: string;
}

export type CommitResult = { accepted: true; message: StoredMessage; epoch: number } | { accepted: false; epoch: number };

export interface E2eStore {
  /** The identity key registered for the user (base64url), or undefined. */
  identity(userId: string): Promise<string | undefined>;

  /**
   * Registers (or re-registers, by (userId, deviceId)) a device. When the user has no identity
   * key, `identityKey` becomes it (`first: true`). When it has another one: with `replace`, the
   * new key replaces it and every old device of the user is deleted with its KeyPackages and
   * Welcomes (`first: true`); without, rejects with StoreError 'conflict'. Also rejects 'conflict'
   * when adding a new device id would exceed `maxDevices`.
   */
  registerDevice(input: { identityKey: string; device: E2eDeviceRecord; replace: boolean; maxDevices: number }): Promise<{ first: boolean }>;

  /** The user's devices, oldest first. */
  devices(userId: string): Promise<E2eDeviceRecord[]>;

  /** Deletes a device with its KeyPackages and Welcomes. False when there was none. */
  removeDevice(userId: string, deviceId: string): Promise<boolean>;

  /**
   * Adds one-time KeyPackages of a device (a ref stored before is ignored) and, when given,
   * replaces its last-resort package. Rejects with StoreError 'conflict', storing nothing, when
   * the device would keep more than `max` one-time packages. `count`: one-time packages it keeps now.
   */
  addKeyPackages(input: { userId: string; deviceId: string; packages: readonly KeyPackageRecord[]; lastResort?: KeyPackageRecord; max: number }): Promise<{ stored: number; count: number }>;

  /**
   * Atomically takes one KeyPackage for each device of the user: its oldest one-time package not
   * expired at `now` (deleted as it is handed out, so two claimers never get the same one), else
   * its last-resort package (kept). Devices with neither are listed in `missing`. `deviceIds`:
   * only those devices (a committer adds the devices a group lacks, not every one of the user).
   */
  claimKeyPackages(userId: string, now: number, deviceIds?: readonly string[]): Promise<{ packages: { deviceId: string; data: string }[]; missing: string[] }>;

  /** One-time packages a device keeps (not counting the last-resort one). */
  keyPackageCount(userId: string, deviceId: string): Promise<number>;

  /**
   * Creates the group of a conversation at epoch 0 with its creator's device as the only member.
   * Rejects with StoreError 'conflict' when the conversation has a group or the id is taken.
   */
  createGroup(input: { groupId: string; conv: string; tree: string; creator: GroupDevice; createdAt: number }): Promise<E2eGroupRecord>;

  groupOfConv(conv: string): Promise<E2eGroupRecord | undefined>;

  groupMembers(groupId: string): Promise<GroupDevice[]>;

  isGroupMember(groupId: string, device: GroupDevice): Promise<boolean>;

  /**
   * One transaction: when the group is at `epoch`, raises it by one, stores `tree`, adds and
   * removes the member devices, appends `message` (its seq assigned as appendMessages does) and
   * stores the Welcome for each added device; otherwise changes nothing and answers the
   * group's current epoch. Rejects with StoreError 'conflict' when there is no such group.
   */
  commitGroup(input: CommitInput): Promise<CommitResult>;

  /** Welcomes waiting for a device, oldest first. */
  welcomesFor(device: GroupDevice): Promise<WelcomeRecord[]>;

  deleteWelcome(device: GroupDevice, groupId: string): Promise<void>;

  /** Deletes the group of a conversation with its members and Welcomes (a room deleted). */
  deleteGroupOfConv(conv: string): Promise<void>;

  /** Deletes every row of the user: identity, devices, KeyPackages, Welcomes, memberships (a guest that left). */
  forgetUser(userId: string): Promise<void>;
}
