import { identitySigner, toBase64Url, type IdentitySigner, type MlsContext } from '@parley/e2e';
import { ALL_TARGET, isRoomTarget, type ChatMessage, type E2eWelcome, type ReplyData } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import type { ClientReceipt } from '../pending-sends.ts';
import type { ClientMessage } from '../types.ts';
import { Archive, type ChangeKind } from './archive.ts';
import { searchArchive, type ArchiveSearch } from './archive-search.ts';
import { call, dmConversation, e2eFailure, isClientError, isMls, isTransient, reportError, WelcomeSignal, withReconnect, type E2eEnv, type E2eHooks, type E2eHost, type Self } from './context.ts';
import { ConversationStore } from './conversations.ts';
import { loadDevice, registerDevice, type LocalDevice } from './device-setup.ts';
import { DirectoryCache } from './directory.ts';
import { localUserId, selfOf } from './e2e-ids.ts';
import { EncryptedRooms } from './encrypted-rooms.ts';
import { GroupSync } from './group-sync.ts';
import { catchUp, handleIncoming } from './inbound.ts';
import { replenishKeyPackages } from './key-packages.ts';
import { sendChange, sendPayload, type Sends } from './message-sends.ts';
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

/** `reply`: the seq of the message this one answers, in the same conversation (one target only). */
export type SendOptions = { kind?: 'action'; plaintext?: boolean; reply?: number };

/** How often a connected client looks for groups whose periodic update is due. */
const UPDATE_CHECK_MS = 6 * 3600_000;

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
  private updateTimer: ReturnType<typeof setInterval> | undefined;
  private resetDone = false;
  private readonly rooms: EncryptedRooms;
  private readonly sync: GroupSync;
  private readonly sends: Sends;

  constructor(
    private readonly host: E2eHost,
    private readonly options: E2eOptions,
    hooks: E2eHooks,
  ) {
    const trust = new TrustStore(options.storage, (userId, name) => this.identityChanged(userId, name));
    // Read at each use: the login (and with it e2e_id) can change between reconnects. Before the
    // first login no group is read, so leaving ids as they are then changes nothing.
    const mls: MlsContext = { trust, localUserId: (id) => (host.identity ? localUserId(selfOf(host.identity), id) : id) };
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
    // A room's indicator follows what the server says about it.
    this.rooms = new EncryptedRooms((room, encrypted) => hooks.emit('e2e_room', { room, encrypted }));
    this.sync = new GroupSync(this.env, this.rooms);
    this.sends = { env: this.env, checkRemoved: () => this.sync.checkRemoved(this.self()) };
    this.trustApi = new TrustApi(this.env, { identityKey: () => this.identityKey(), afterTrust: (target) => this.sync.reconcileLater(target, { resume: true, now: true }) });
    host.on('state', ({ state }) => {
      if (state === 'connected') {
        // Device changes announced while this client was away went unheard.
        this.env.directory.clear();
        void this.setUp();
      }
      else if (state === 'closed') {
        clearInterval(this.updateTimer);
        this.env.gate.end(ParleyClientError.local('CLOSED', 'The client was closed'));
      }
      else this.env.gate.reset();
    });
    host.on('welcome', (welcome) => this.onWelcome(welcome));
    host.on('e2e_devices', (event) => this.sync.onDevices(event));
    host.on('join', ({ room, user }) => this.sync.onRoomPeople(room, user));
    host.on('part', ({ room, user }) => this.sync.onRoomPeople(room, user));
    // A room made again under its name starts plain (its join reply says if not).
    host.on('room_deleted', ({ room }) => this.rooms.note(room, false));
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
    return selfOf(identity);
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
      const device = await loadDevice(env.storage, { identity, userId: self.userId, certifiedId: self.certifiedId, deviceId: this.options.deviceId });
      await env.trust.pin(self.userId, toBase64Url(identity.publicKey));
      // A reset replaces the identity once: at a later reconnect it would remove devices made since.
      await registerDevice(env, device, { reset: (this.options.resetIdentity ?? false) && !this.resetDone });
      this.resetDone = true;
      this.localDevice = device;
      await replenishKeyPackages(env, device);
      const { welcomes } = await call(env, 'welcomes', {});
      if (run !== this.setupRun) return;
      env.gate.open();
      env.hooks.emit('e2e_ready', { userId: self.userId, deviceId: device.deviceId });
      for (const welcome of welcomes) this.onWelcome(welcome);
      // What the groups missed while this device was away (another device of the user was online, so nothing was queued for it).
      // (Only this user's: a guest that came back under a new id has old conversations it cannot read.)
      for (const conv of env.convs.list().filter((c) => isRoomTarget(c) || c.split(':').includes(self.userId))) this.sync.inConv(conv, (state) => catchUp(env, state));
      this.checkUpdates();
    } catch (error) {
      if (run !== this.setupRun || isTransient(error) || isClientError(error, 'CLOSED')) return;
      env.gate.fail(e2eFailure(error, 'Setting up the end-to-end device failed'));
      reportError(env, error, {});
    }
  }

  /** Now, and every few hours while this client lives (a device that stays connected for weeks). */
  private checkUpdates(): void {
    const check = () => void this.sync.updateQuiet().catch((error: unknown) => reportError(this.env, error, {}));
    check();
    if (this.updateTimer) return;
    this.updateTimer = setInterval(check, UPDATE_CHECK_MS);
    this.updateTimer.unref?.();
  }

  private onWelcome(welcome: E2eWelcome): void {
    // An operation of this conversation may be waiting for it (it joins at once); otherwise the task does.
    this.env.welcomes.notify(welcome.conv);
    this.sync.inConv(welcome.conv, async (state) => {
      if (await joinWelcome(this.env, state, welcome)) await catchUp(this.env, state);
    });
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

  /** For ParleyClient: a room turned encrypted since this client last heard refused a plaintext send (nothing was stored); it goes through MLS instead. */
  async afterPlainRefusal(error: unknown, to: string | readonly string[], input: { text: string; options: SendOptions; plain: (rest: string[]) => Promise<ClientReceipt[]> }): Promise<ClientReceipt[]> {
    const rooms = (typeof to === 'string' ? [to] : to).filter(isRoomTarget);
    if (!isClientError(error, 'E2E_ROOM_ENCRYPTED') || rooms.length === 0) throw error;
    await this.learnRooms(rooms);
    if (!this.handlesAny(to, input.options)) throw error;
    return this.sendEach(to, input);
  }

  /**
   * Each person gets an encrypted message of their own; rooms and ALL in the list go through
   * `plain` as one ordinary send, as before.
   */
  async sendEach(to: string | readonly string[], input: { text: string; options: SendOptions; plain: (rest: string[]) => Promise<ClientReceipt[]> }): Promise<ClientReceipt[]> {
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
  send(to: string | readonly string[], text: string, options: SendOptions = {}): Promise<ClientReceipt[]> {
    const name = typeof to === 'string' ? to : (to[0] ?? '');
    return sendPayload(this.sends, name, { payload: { text, ...(options.kind ? { kind: options.kind } : {}), ...(options.reply === undefined ? {} : { ref: options.reply }) } });
  }

  /**
   * An edit (`text`: the new version) or a reaction (`text`: the emoji) inside the encryption:
   * the server sees only a message that refers to `ref`. Sent under a cmid like any message, so
   * a resend is stored once. An edit of a message this device knows someone else wrote is
   * refused here (no server can check it: receivers do).
   */
  sendChange(to: string, change: { kind: ChangeKind; ref: number; text: string }): Promise<ClientReceipt & { ref: number }> {
    return sendChange(this.sends, to, change);
  }

  /** For ParleyClient: takes `mls` and `mls_commit` messages (they come out as events later); others pass. */
  intercept(message: ChatMessage): boolean {
    if (!isMls(message)) {
      this.env.convs.notePlain(message.conv, message.seq);
      if (message.kind === 'redact' && message.ref !== undefined) this.redacted(message.conv, message.ref);
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

  /**
   * For ParleyClient: message `ref` was redacted (an event, or this client's own `redact`): its
   * archived plaintext, and its edits' and reactions', go from this device too.
   */
  redacted(conv: string, ref: number): void {
    if (!this.env.convs.known(conv)) return;
    this.env.queues.run(conv, () => this.env.archive.redact(conv, ref)).catch((error: unknown) => reportError(this.env, error, { conv, seq: ref }));
  }

  /**
   * Searches what this device decrypted or sent in its encrypted conversations (all, or `conv`),
   * newest first, each in its current version: no server can search them. Same words as the
   * server's `search` (client.search, which covers plaintext conversations).
   */
  search(words: string, filters: ArchiveSearch = {}): Promise<ClientMessage[]> {
    return searchArchive(this.env, words, filters);
  }

  /** For ParleyClient.history: archived plaintext in place of ciphertext, group changes left out, changes folded in. */
  async readHistory(page: ReplyData['history']): Promise<{ conv: string; messages: ClientMessage[] }> {
    await this.env.convs.open();
    // Only a conversation this device has a group for can have archived changes to fold in.
    return this.env.archive.rewrite(page, { fold: this.env.convs.known(page.conv) });
  }

  /** 60 digits to compare with `name` out of band: the same on both sides while neither identity key changes. */
  safetyNumber(name: string): Promise<string> {
    return this.trustApi.safetyNumber(name);
  }

  verification(name: string): Promise<'unverified' | 'verified' | 'changed'> {
    return this.trustApi.verification(name);
  }

  /**
   * The person compared safety numbers: their current identity key is pinned as verified. With
   * `shown` (the number the person compared), refused (E2E_PEER_IDENTITY_CHANGED) if the key
   * changed since it was shown.
   */
  markVerified(name: string, shown?: string): Promise<void> {
    return this.trustApi.accept(name, { verified: true, ...(shown === undefined ? {} : { shown }) });
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
    this.sync.reconcileAll();
  }
}
