import { createApplicationMessage, createCommit, createGroup, joinGroup, makePskIndex, zeroOutUint8Array, type ClientState, type GroupState, type Proposal } from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { bytesEqual, copyBytes } from '../bytes.ts';
import { E2eError } from '../errors.ts';
import { RecordingAuthService, type MlsContext } from './auth-service.ts';
import { decodeKeyPackageBundle, decodeKeyPackageMessage, decodeMessage, decodeTree, encodeMessage, encodeTree } from './codec.ts';
import { receiveMessage, type Incoming } from './group-receive.ts';
import { decodeStoredGroup, encodeStoredGroup, type PendingCommit } from './group-store.ts';
import { checkKeyPackage, createKeyPackage, type MlsDevice } from './key-package.ts';
import { memberAt, membersOf, type DeviceRef, type GroupMember } from './members.ts';
import { toE2eError } from './mls-errors.ts';
import { clientConfig, suite } from './suite.ts';

export interface CommitOutput {
  /** The commit (an MLSMessage) to hand to the server for ordering. */
  commit: Uint8Array;
  /** The epoch the commit is for: the server accepts one commit per epoch. */
  epoch: number;
  /** For commits that add devices: their Welcome, and the ratchet tree that goes beside it. */
  welcome?: { welcome: Uint8Array; ratchetTree: Uint8Array; recipients: Uint8Array[] };
}

/**
 * One device's view of one MLS group. The group state is used exactly once per step (E2E.md
 * pitfall 4): every method that changes it runs after the previous one finished, so two sends
 * can never reuse a key generation. Save (`save()`) after each awaited call that changed the
 * state and before its output leaves the device.
 *
 * Commits this device makes are pending (pitfall 5): the group stays in its epoch until the
 * caller reports the server's answer with confirmCommit() or discardCommit(), or the server's
 * copy of the commit comes back through receive(). While one is pending, encrypt() and new
 * commits are refused: a message sent now would be for an epoch the server is about to leave.
 */
export class MlsGroup {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private state: ClientState,
    private pending: PendingCommit | undefined,
    private readonly context: MlsContext,
  ) {}

  /** A new group with this device as its only member, at epoch 0. */
  static async create(device: MlsDevice, context: MlsContext, options?: { groupId?: Uint8Array }): Promise<MlsGroup> {
    const groupId = options?.groupId ?? globalThis.crypto.getRandomValues(new Uint8Array(32));
    const { bundle } = await createKeyPackage(device, context);
    const { keyPackage, secrets } = decodeKeyPackageBundle(bundle);
    const auth = new RecordingAuthService(context);
    try {
      return new MlsGroup(await createGroup(copyBytes(groupId), keyPackage, secrets, [], await suite(), clientConfig(auth)), undefined, context);
    } catch (error) {
      throw toE2eError(error, { fallback: 'E2E_BAD_CREDENTIAL', refusal: auth.refusal, what: 'cannot create the group' });
    }
  }

  /**
   * Joins from a Welcome with the ratchet tree the server keeps beside it, using the KeyPackage
   * bundle the Welcome names (welcomeRecipients() says which). Every leaf of the tree is checked
   * by the auth service.
   */
  static async join(input: { welcome: Uint8Array; ratchetTree: Uint8Array; bundle: Uint8Array }, context: MlsContext): Promise<MlsGroup> {
    const { welcome } = decodeMessage(input.welcome, ['mls_welcome']);
    const tree = decodeTree(input.ratchetTree);
    const { keyPackage, secrets } = decodeKeyPackageBundle(input.bundle);
    const auth = new RecordingAuthService(context);
    try {
      const cs = await suite();
      const ref = await makeKeyPackageRef(keyPackage, cs.hash);
      if (!welcome.secrets.some((s) => bytesEqual(s.newMember, ref))) throw new E2eError('E2E_NOT_MEMBER', 'the Welcome is not addressed to this KeyPackage');
      return new MlsGroup(await joinGroup(welcome, keyPackage, secrets, makePskIndex(undefined, {}), cs, tree, undefined, clientConfig(auth)), undefined, context);
    } catch (error) {
      throw toE2eError(error, { fallback: 'E2E_INVALID_COMMIT', refusal: auth.refusal, what: 'cannot join from the Welcome' });
    }
  }

  /** A group saved with save(); it resumes exactly there, pending commit included. */
  static load(saved: Uint8Array, context: MlsContext): MlsGroup {
    const stored = decodeStoredGroup(saved);
    const withConfig = (s: GroupState): ClientState => ({ ...s, clientConfig: clientConfig(new RecordingAuthService(context)) });
    const pending = stored.pending && { state: withConfig(stored.pending.state), commit: stored.pending.commit, consumed: [] };
    return new MlsGroup(withConfig(stored.state), pending, context);
  }

  save(): Uint8Array {
    return encodeStoredGroup(this.state, this.pending);
  }

  get groupId(): Uint8Array {
    return copyBytes(this.state.groupContext.groupId);
  }

  get epoch(): number {
    return Number(this.state.groupContext.epoch);
  }

  /** False once a commit removed this device. */
  get active(): boolean {
    return this.state.groupActiveState.kind === 'active';
  }

  get hasPendingCommit(): boolean {
    return this.pending !== undefined;
  }

  members(): GroupMember[] {
    return membersOf(this.state.ratchetTree, this.context);
  }

  self(): GroupMember {
    const me = memberAt(this.state.ratchetTree, this.state.privatePath.leafIndex, this.context);
    if (!me) throw new E2eError('E2E_NOT_MEMBER', 'this device has no leaf in the group');
    return me;
  }

  /**
   * The ratchet tree of the epoch the pending commit leads to: what the server keeps for joiners
   * (ECOMMIT `tree`). A commit that adds devices has it in its Welcome output as well; one that
   * only removes or updates has only this.
   */
  pendingTree(): Uint8Array {
    if (!this.pending) throw new E2eError('E2E_NO_PENDING_COMMIT', 'there is no pending commit');
    return encodeTree(this.pending.state.ratchetTree);
  }

  /** RFC 9420 §8.7: equal on every member in the same epoch; usable for out-of-band checks. */
  epochAuthenticator(): Uint8Array {
    return copyBytes(this.state.keySchedule.epochAuthenticator);
  }

  /** Runs `step` after every earlier step of this group: one state, used once per step. */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.tail.then(step, step);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private adopt(next: ClientState, consumed: Uint8Array[]): void {
    this.state = next;
    for (const secret of consumed) zeroOutUint8Array(secret);
  }

  private requireSendable(): void {
    if (this.pending) throw new E2eError('E2E_COMMIT_PENDING', 'a commit of this device awaits the server');
    if (!this.active) throw new E2eError('E2E_NOT_MEMBER', 'this device was removed from the group');
  }

  /** Encrypts application data for the current epoch. `authenticatedData` travels in clear. */
  encrypt(plaintext: Uint8Array, options?: { authenticatedData?: Uint8Array }): Promise<Uint8Array> {
    return this.serial(async () => {
      this.requireSendable();
      const result = await createApplicationMessage(this.state, plaintext, await suite(), options?.authenticatedData);
      this.adopt(result.newState, result.consumed);
      return encodeMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: result.privateMessage });
    });
  }

  /**
   * Processes one message from the server. Errors are E2eErrors whose `action` says what to do
   * with the message (E2E_FUTURE_EPOCH: keep it and retry after the next commit). A commit from
   * another member for the current epoch means this device's pending commit lost: it is dropped.
   */
  receive(bytes: Uint8Array): Promise<Incoming> {
    return this.serial(async () => {
      if (this.pending && bytesEqual(bytes, this.pending.commit)) return { kind: 'own-commit', epoch: this.confirmNow() };
      const message = decodeMessage(bytes, ['mls_private_message', 'mls_public_message']);
      const outcome = await receiveMessage(this.state, message, this.context);
      if (outcome.incoming.kind === 'commit') this.pending = undefined;
      this.adopt(outcome.state, outcome.consumed);
      return outcome.incoming;
    });
  }

  /** Commits adding these devices (their KeyPackages, as fetched from the directory). */
  commitAdd(keyPackages: Uint8Array[]): Promise<CommitOutput> {
    return this.serial(async () => {
      const proposals: Proposal[] = [];
      for (const bytes of keyPackages) {
        const keyPackage = decodeKeyPackageMessage(bytes);
        // Our own checks first: ts-mls checks neither the 90-day cap nor, by default, lifetimes.
        await checkKeyPackage(keyPackage, this.context);
        proposals.push({ proposalType: 'add', add: { keyPackage } });
      }
      return this.commitWith(proposals);
    });
  }

  /** Commits removing these devices. A device cannot commit its own removal (RFC 9420 §12.1.3). */
  commitRemove(devices: DeviceRef[]): Promise<CommitOutput> {
    return this.serial(async () => {
      const members = this.members();
      const own = this.state.privatePath.leafIndex;
      const proposals: Proposal[] = devices.map((device) => {
        const member = members.find((m) => m.userId === device.userId && m.deviceId === device.deviceId);
        if (!member) throw new E2eError('E2E_NOT_MEMBER', `${device.userId}/${device.deviceId} is not in the group`);
        if (member.leafIndex === own) throw new E2eError('E2E_UNSUPPORTED', 'a device cannot remove itself; another member commits it');
        return { proposalType: 'remove', remove: { removed: member.leafIndex } };
      });
      return this.commitWith(proposals);
    });
  }

  /** An empty commit: a full path update, fresh keys for this device's path (pitfall 8). */
  commitUpdate(): Promise<CommitOutput> {
    return this.serial(() => this.commitWith([]));
  }

  private async commitWith(proposals: Proposal[]): Promise<CommitOutput> {
    this.requireSendable();
    const auth = new RecordingAuthService(this.context);
    const cs = await suite();
    try {
      const result = await createCommit({ state: { ...this.state, clientConfig: clientConfig(auth) }, cipherSuite: cs }, { extraProposals: proposals, ratchetTreeExtension: false });
      const commit = encodeMessage(result.commit);
      // The current state stays in use until the server answers, so nothing is wiped yet.
      this.pending = { state: result.newState, commit, consumed: result.consumed };
      const output: CommitOutput = { commit, epoch: this.epoch };
      if (result.welcome) {
        output.welcome = {
          welcome: encodeMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }),
          ratchetTree: encodeTree(result.newState.ratchetTree),
          recipients: result.welcome.secrets.map((s) => copyBytes(s.newMember)),
        };
      }
      return output;
    } catch (error) {
      throw toE2eError(error, { fallback: 'E2E_INVALID_COMMIT', refusal: auth.refusal, what: 'cannot create the commit' });
    }
  }

  /** The server accepted this device's pending commit: the group moves to its epoch. */
  confirmCommit(): Promise<number> {
    return this.serial(async () => this.confirmNow());
  }

  /** The server refused it (another commit won the epoch): the group stays where it is. */
  discardCommit(): Promise<void> {
    return this.serial(async () => {
      if (!this.pending) throw new E2eError('E2E_NO_PENDING_COMMIT', 'there is no pending commit');
      this.pending = undefined;
    });
  }

  private confirmNow(): number {
    const pending = this.pending;
    if (!pending) throw new E2eError('E2E_NO_PENDING_COMMIT', 'there is no pending commit');
    // The pending state copied the epoch it leaves when the commit was made; messages read
    // since then consumed keys of that epoch, so carry the newer secret tree over, or those
    // messages could be read a second time from the kept epoch.
    const left = this.state.groupContext.epoch;
    const kept = pending.state.historicalReceiverData.get(left);
    const historicalReceiverData = new Map(pending.state.historicalReceiverData);
    // (The wiped secrets include this device's own handshake key of that epoch, which no
    // application message needs.)
    if (kept) historicalReceiverData.set(left, { ...kept, secretTree: this.state.secretTree });
    this.pending = undefined;
    this.adopt({ ...pending.state, historicalReceiverData }, pending.consumed);
    return this.epoch;
  }
}
