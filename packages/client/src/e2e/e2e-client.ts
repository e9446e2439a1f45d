import { identitySigner, toBase64Url, type IdentitySigner } from '@parley/e2e';
import { ALL_TARGET, foldName, isRoomTarget, type ChatMessage, type E2eDirectoryEntry, type E2eWelcome, type ReplyData, type SentReceipt } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import type { ClientEvents, ClientMessage } from '../types.ts';
import { Archive } from './archive.ts';
import { call, dmConversation, e2eFailure, isClientError, isMls, isTransient, peerIdOf, reportError, WelcomeSignal, withReconnect, type E2eEnv, type E2eHooks, type E2eHost, type Self } from './context.ts';
import { ConversationStore, type ConvState } from './conversations.ts';
import { loadDevice, markRemoved, registerDevice, type LocalDevice } from './device-setup.ts';
import { DirectoryCache, DirectoryWatch, resolveRoomTarget, resolveTarget, type Target } from './directory.ts';
import { EncryptedRooms, roomCommitDelay } from './encrypted-rooms.ts';
import { reconcile } from './group-ops.ts';
import { catchUp, handleIncoming, resumeAfterTrust } from './inbound.ts';
import { replenishKeyPackages } from './key-packages.ts';
import { newCmid, sendEncrypted } from './outbound.ts';
import { Gate, SerialQueues } from './serial.ts';
import type { E2eStorage } from './storage.ts';
import { TrustApi } from './trust-api.ts';
import { TrustStore } from './trust-store.ts';
import { joinWelcome } from './welcome.ts';

export interface E2eOptions {
  /** The user's identity key (Ed25519): it certifies this device. Every device of the user has the same one. */
  identity: CryptoKeyPair;
  /** This device's secrets; one storage per device (never shared by two clients at once). */
  storage: E2eStorage;
  /** The device's id; by default a random one, made once and kept in `storage`. */
  deviceId?: string;
  /**
   * When the server has another identity key for this user (all old devices lost): replace it.
   * Every old device is removed and everyone the user talks with is warned. Only on the user's word.
   */
  resetIdentity?: boolean;
}

export type SendOptions = { kind?: 'action'; plaintext?: boolean };

/** Background reconciles start after a short random delay, so the devices that heard of a change do not all commit at once. */
const JITTER_MS = 300;

/**
 * End-to-end encrypted DMs for a ParleyClient (`client.e2e`). After each login it sets up this
 * device (key, certificate, EDEVICE, KeyPackages, pending Welcomes, then reads what its groups
 * missed); `client.send` to one user goes through `send` here; incoming `mls`/`mls_commit`
 * messages go through each conversation's group in seq order and come out as ordinary `message`
 * events with `encrypted: true`. Every group operation is a task of its conversation's queue.
 */
export class E2eClient {
  private readonly env: E2eEnv;
  private readonly trustApi: TrustApi;
  private localDevice: LocalDevice | undefined;
  private signer: Promise<IdentitySigner> | undefined;
  private setupRun = 0;
  private readonly watch = new DirectoryWatch();
  private readonly rooms = new EncryptedRooms();

  constructor(
    private readonly host: E2eHost,
    private readonly options: E2eOptions,
    hooks: E2eHooks,
  ) {
    const trust = new TrustStore(options.storage, (userId, name) => this.identityChanged(userId, name));
    const mls = { trust };
    this.env = {
      host,
      hooks,
      storage: options.storage,
      trust,
      mls,
      archive: new Archive(options.storage),
      convs: new ConversationStore(options.storage, mls),
      queues: new SerialQueues(),
      gate: new Gate(),
      welcomes: new WelcomeSignal(),
      directory: new DirectoryCache(),
      self: () => this.self(),
      device: () => this.device(),
    };
    this.trustApi = new TrustApi(this.env, { identityKey: () => this.identityKey(), afterTrust: (target) => this.reconcileLater(target, { resume: true, now: true }) });
    host.on('state', ({ state }) => {
      if (state === 'connected') {
        // Device changes announced while this client was away went unheard.
        this.env.directory.clear();
        void this.setUp();
      }
      else if (state === 'closed') this.env.gate.end(ParleyClientError.local('CLOSED', 'The client was closed'));
      else this.env.gate.reset();
    });
    host.on('welcome', (welcome) => this.onWelcome(welcome));
    host.on('e2e_devices', (event) => this.onDevices(event));
    host.on('join', ({ room, user }) => this.onRoomPeople(room, user));
    host.on('part', ({ room, user }) => this.onRoomPeople(room, user));
    host.on('notice', ({ kind, room, modes }) => {
      if (kind === 'mode' && room !== undefined && modes) this.rooms.note(room, modes.encrypted);
    });
  }

  /** For ParleyClient: what the server said about a room (a login's or join's summary, a mode reply). */
  noteRoom(room: { name: string; encrypted?: boolean | undefined }): void {
    this.rooms.note(room.name, room.encrypted === true);
  }

  /** For ParleyClient, after the server refused a plaintext send (E2E_ROOM_ENCRYPTED): which of the rooms are encrypted. */
  async learnRooms(rooms: readonly string[]): Promise<void> {
    for (const room of rooms) {
      const encrypted = await call(this.env, 'emembers', { to: room }).then(
        () => true,
        (error: unknown) => (isClientError(error, 'E2E_NOT_ENCRYPTED') ? false : Promise.reject(error)),
      );
      this.rooms.note(room, encrypted);
    }
  }

  /**
   * Someone joined or left an encrypted room this device holds the group of: a member commits
   * the change (the first by its place in the group; the others find it done). Someone who left
   * would otherwise keep reading, and the server refuses the room's next message until then.
   */
  private onRoomPeople(room: string, user: string): void {
    if (!this.rooms.has(room)) return;
    this.env.directory.forgetRoom(room);
    const conv = foldName(room);
    if (!this.env.convs.known(conv) || (this.host.identity && foldName(user) === foldName(this.host.identity.name))) return;
    this.reconcileLater({ conv, name: room });
  }

  /** This device's id, once set up. */
  get deviceId(): string | undefined {
    return this.localDevice?.deviceId;
  }

  /** Resolves once this login's device is set up (sends to DMs wait for it); rejects if it cannot be. */
  whenReady(): Promise<void> {
    return this.env.gate.wait();
  }

  private self(): Self {
    const identity = this.host.identity;
    if (!identity) throw ParleyClientError.local('DISCONNECTED', 'Not logged in');
    return { name: identity.name, userId: identity.id };
  }

  private device(): LocalDevice {
    if (!this.localDevice) throw ParleyClientError.local('E2E_FAILED', 'This device is not set up yet');
    return this.localDevice;
  }

  private async identityKey(): Promise<Uint8Array> {
    return (await (this.signer ??= identitySigner(this.options.identity))).publicKey;
  }

  private async setUp(): Promise<void> {
    const run = ++this.setupRun;
    const { env } = this;
    try {
      const self = this.self();
      const identity = await (this.signer ??= identitySigner(this.options.identity));
      await env.convs.open();
      const device = await loadDevice(env.storage, { identity, userId: self.userId, deviceId: this.options.deviceId });
      await env.trust.pin(self.userId, toBase64Url(identity.publicKey));
      await registerDevice(env, device, { reset: this.options.resetIdentity ?? false });
      this.localDevice = device;
      await replenishKeyPackages(env, device);
      const { welcomes } = await call(env, 'welcomes', {});
      if (run !== this.setupRun) return;
      env.gate.open();
      env.hooks.emit('e2e_ready', { userId: self.userId, deviceId: device.deviceId });
      for (const welcome of welcomes) this.onWelcome(welcome);
      // What the groups missed while this device was away (another device of the user was online, so nothing was queued for it).
      // (Only this user's: a guest that came back under a new id has old conversations it cannot read.)
      for (const conv of env.convs.list().filter((c) => isRoomTarget(c) || c.split(':').includes(self.userId))) this.inConv(conv, (state) => catchUp(env, state));
    } catch (error) {
      if (run !== this.setupRun || isTransient(error) || isClientError(error, 'CLOSED')) return;
      env.gate.fail(e2eFailure(error, 'Setting up the end-to-end device failed'));
      reportError(env, error, {});
    }
  }

  /** A task of the conversation's queue, once the device is set up; failures are reported, not thrown. */
  private inConv(conv: string, step: (state: ConvState) => Promise<unknown>): void {
    const { env } = this;
    env.queues
      .run(conv, async () => {
        await env.gate.settled();
        const state = await env.convs.get(conv);
        await withReconnect(env, () => step(state));
      })
      .catch((error: unknown) => {
        if (!isClientError(error, 'CLOSED')) reportError(env, error, { conv });
      });
  }

  private onWelcome(welcome: E2eWelcome): void {
    // An operation of this conversation may be waiting for it (it joins at once); otherwise the task does.
    this.env.welcomes.notify(welcome.conv);
    this.inConv(welcome.conv, async (state) => {
      if (await joinWelcome(this.env, state, welcome)) await catchUp(this.env, state);
    });
  }

  /**
   * Someone's devices changed (or a device logged in again, which changes nothing): when the
   * directory says something new, the groups shared with them follow. For this user: this device
   * may be the one removed.
   */
  private onDevices(event: ClientEvents['e2e_devices']): void {
    const { env } = this;
    const work = async () => {
      await env.gate.wait();
      const self = this.self();
      const own = event.user_id === self.userId;
      env.directory.forget(event.user_id);
      const entry = await env.directory.entry(env, own ? self.name : event.user);
      if (entry.user_id !== event.user_id || (own && (await this.checkRemoved(self, entry))) || !this.watch.changed(entry)) return;
      if (!own && entry.identity_key !== null) await env.trust.check(entry.user_id, entry.identity_key, entry.name);
      const dm = [dmConversation(self.userId, event.user_id)].filter((conv) => env.convs.known(conv));
      const rooms = env.convs.list().filter((conv) => isRoomTarget(conv) && env.directory.mayInclude(conv, event.user_id));
      for (const conv of own ? env.convs.list() : dm) this.reconcileLater({ ...this.targetOf(conv), ...(own ? {} : { name: entry.name }) });
      if (!own) for (const conv of rooms) this.reconcileLater(this.targetOf(conv));
    };
    work().catch((error: unknown) => {
      if (!isClientError(error, 'CLOSED', 'E2E_DEVICE_REMOVED')) reportError(env, error, {});
    });
  }

  /** Whether the directory no longer lists this device; if so it is turned off for good (and reported). */
  private async checkRemoved(self: Self, listed?: E2eDirectoryEntry): Promise<ParleyClientError | undefined> {
    const entry = listed ?? (await call(this.env, 'edevices', { name: self.name }));
    if (entry.user_id !== self.userId || entry.devices.some((d) => d.device_id === this.device().deviceId)) return undefined;
    const error = ParleyClientError.local('E2E_DEVICE_REMOVED', 'This device was removed from the account: it no longer sends or reads encrypted messages');
    if (this.env.gate.isOpen) {
      await markRemoved(this.env.storage);
      this.env.gate.fail(error);
      reportError(this.env, error, {});
    }
    return error;
  }

  /**
   * A reconcile of the conversation's group in the background. Unless `now`, after a short random
   * delay: every device that heard of a change would otherwise commit at once, and all but one lose.
   */
  private reconcileLater(target: Omit<Target, 'name'> & { name?: string }, options: { resume?: boolean; now?: boolean } = {}): void {
    if (!options.now) {
      setTimeout(() => this.reconcileLater(target, { ...options, now: true }), this.commitDelay(target.conv));
      return;
    }
    this.inConv(target.conv, async (state) => {
      if (options.resume) await resumeAfterTrust(this.env, state);
      const name = target.name ?? state.meta.peer;
      // Only a member changes the group; a device waiting for its Welcome gets it from one.
      if (!state.group?.active || name === undefined) return;
      await reconcile(this.env, state, { ...target, name });
    });
  }

  /** A DM's two devices draw lots; a room's members go in the order of their places in the group. */
  private commitDelay(conv: string): number {
    if (!isRoomTarget(conv)) return Math.random() * JITTER_MS;
    const self = this.localDevice;
    const members = this.env.convs.loaded(conv)?.group?.members() ?? [];
    return roomCommitDelay(members.findIndex((m) => m.userId === self?.userId && m.deviceId === self.deviceId), JITTER_MS);
  }

  /** What a conversation this device has a group for is, to the verbs. */
  private targetOf(conv: string): Omit<Target, 'name'> {
    return isRoomTarget(conv) ? { conv } : { conv, peerId: peerIdOf(conv, this.self().userId) };
  }

  private identityChanged(userId: string, name: string | undefined): void {
    const known = name ?? (this.host.identity ? this.env.convs.peerOf(dmConversation(this.host.identity.id, userId)) : undefined);
    this.env.hooks.emit('identity_changed', { user: known ?? userId, user_id: userId });
  }

  /** Whether `client.send(to, …)` goes through here: one user (by name or DM id) unless sent as plaintext on purpose, or one encrypted room; not ALL or several. */
  handles(to: string | readonly string[], options: SendOptions): boolean {
    const list = typeof to === 'string' ? [to] : to;
    const [target] = list;
    if (list.length !== 1 || target === undefined) return false;
    if (isRoomTarget(target)) return this.rooms.has(target);
    return !options.plaintext && target.toUpperCase() !== ALL_TARGET;
  }

  /** Whether a send to `to` has at least one person in it (then it goes through sendEach). */
  handlesAny(to: string | readonly string[], options: SendOptions): boolean {
    return (typeof to === 'string' ? [to] : to).some((target) => this.handles(target, options));
  }

  /**
   * Each person gets an encrypted message of their own; rooms and ALL in the list go through
   * `plain` as one ordinary send, as before.
   */
  async sendEach(to: string | readonly string[], input: { text: string; options: SendOptions; plain: (rest: string[]) => Promise<SentReceipt[]> }): Promise<SentReceipt[]> {
    const list = typeof to === 'string' ? [to] : [...to];
    const people = list.filter((target) => this.handles(target, input.options));
    const rest = list.filter((target) => !people.includes(target));
    const parts = [...people.map((person) => this.send(person, input.text, input.options)), ...(rest.length > 0 ? [input.plain(rest)] : [])];
    return (await Promise.all(parts)).flat();
  }

  /**
   * An encrypted DM. Refused (E2E_PEER_UNENCRYPTED) when the person has no device keys: sending
   * in plaintext is the caller's explicit choice (`{ plaintext: true }`). Sends to one person go
   * out in the order they were made.
   */
  send(to: string | readonly string[], text: string, options: SendOptions = {}): Promise<SentReceipt[]> {
    const name = typeof to === 'string' ? to : (to[0] ?? '');
    const payload = options.kind ? { text, kind: options.kind } : { text };
    const cmid = newCmid();
    const { env } = this;
    return env.queues.run(`send:${foldName(name)}`, () =>
      withReconnect(env, async () => {
        await env.gate.wait();
        const target = isRoomTarget(name) ? await resolveRoomTarget(env, name) : await resolveTarget(env, name);
        return env.queues.run(target.conv, () => withReconnect(env, () => sendEncrypted(env, target, { payload, cmid })));
      }).catch(async (error: unknown) => {
        // The server forgot this connection's device: removed by another device of the user?
        throw (isClientError(error, 'E2E_NO_DEVICE') && (await this.checkRemoved(this.self()))) || error;
      }),
    );
  }

  /** For ParleyClient: takes `mls` and `mls_commit` messages (they come out as events later); others pass. */
  intercept(message: ChatMessage): boolean {
    if (!isMls(message)) {
      this.env.convs.notePlain(message.conv, message.seq);
      return false;
    }
    const { env } = this;
    env.queues
      .run(message.conv, async () => {
        await env.gate.settled();
        await withReconnect(env, () => handleIncoming(env, message));
      })
      .catch((error: unknown) => {
        if (!isClientError(error, 'CLOSED')) reportError(env, error, { conv: message.conv, seq: message.seq });
      });
    return true;
  }

  /** For ParleyClient.history: archived plaintext in place of ciphertext, group changes left out. */
  readHistory(page: ReplyData['history']): Promise<{ conv: string; messages: ClientMessage[] }> {
    return this.env.archive.rewrite(page);
  }

  /** 60 digits to compare with `name` out of band: the same on both sides while neither identity key changes. */
  safetyNumber(name: string): Promise<string> {
    return this.trustApi.safetyNumber(name);
  }

  verification(name: string): Promise<'unverified' | 'verified' | 'changed'> {
    return this.trustApi.verification(name);
  }

  /** The person compared safety numbers: their current identity key is pinned as verified. */
  markVerified(name: string): Promise<void> {
    return this.trustApi.accept(name, { verified: true });
  }

  /** After `identity_changed`: pins the person's new identity key (their new devices are accepted from now on). */
  acceptIdentity(name: string): Promise<void> {
    return this.trustApi.accept(name, { verified: false });
  }

  /** For the clients' indicator: whether a DM with `name`, or the room `name`, is end-to-end encrypted. */
  conversationEncryption(name: string): Promise<'encrypted' | 'unencrypted'> {
    if (isRoomTarget(name)) return Promise.resolve(this.rooms.has(name) ? 'encrypted' : 'unencrypted');
    return this.trustApi.conversationEncryption(name);
  }

  /** Removes one of this user's devices (a lost phone): every shared group drops it now, and refuses it from then on. */
  async removeDevice(deviceId: string): Promise<void> {
    await call(this.env, 'eremovedevice', { device_id: deviceId });
    for (const conv of this.env.convs.list()) this.reconcileLater(this.targetOf(conv));
  }
}
