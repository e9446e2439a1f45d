import { foldName, isRoomTarget, type E2eDirectoryEntry } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import type { ClientEvents } from '../types.ts';
import { call, dmConversation, isClientError, peerIdOf, reportError, withReconnect, type E2eEnv, type Self } from './context.ts';
import type { ConvState } from './conversations.ts';
import { markRemoved } from './device-setup.ts';
import { DirectoryWatch, type Target } from './directory.ts';
import { roomCommitDelay, type EncryptedRooms } from './encrypted-rooms.ts';
import { reconcile, updateDue } from './group-ops.ts';
import { resumeAfterTrust } from './inbound.ts';

/** Background reconciles start after a short random delay, so the devices that heard of a change do not all commit at once. */
const JITTER_MS = 300;

/**
 * Keeps this device's groups following what changes outside MLS: someone's devices (the
 * directory's `e2e_devices`), an encrypted room's members (joins, parts, kicks, bans), this
 * device's own removal. Each change is a reconcile in the conversation's queue, in the background.
 */
export class GroupSync {
  private readonly watch = new DirectoryWatch();

  constructor(
    private readonly env: E2eEnv,
    private readonly rooms: EncryptedRooms,
  ) {}

  /** A task of the conversation's queue, once the device is set up; failures are reported, not thrown. */
  inConv(conv: string, step: (state: ConvState) => Promise<unknown>): void {
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

  /**
   * Someone's devices changed (or a device logged in again, which changes nothing): when the
   * directory says something new, the groups shared with them follow. For this user: this device
   * may be the one removed.
   */
  onDevices(event: ClientEvents['e2e_devices']): void {
    const { env } = this;
    const work = async () => {
      await env.gate.wait();
      const self = env.self();
      const own = event.user_id === self.userId;
      env.directory.forget(event.user_id);
      const entry = await env.directory.entry(env, own ? self.name : event.user);
      if (entry.user_id !== event.user_id || (own && (await this.checkRemoved(self, entry))) || !this.watch.changed(entry)) return;
      if (!own && entry.identity_key !== null) await env.trust.check(entry.user_id, entry.identity_key, entry.name);
      if (own) {
        this.reconcileAll();
        return;
      }
      const dm = dmConversation(self.userId, event.user_id);
      if (env.convs.known(dm)) this.reconcileLater({ ...this.targetOf(dm), name: entry.name });
      for (const conv of env.convs.list().filter((c) => isRoomTarget(c) && env.directory.mayInclude(c, event.user_id))) this.reconcileLater(this.targetOf(conv));
    };
    work().catch((error: unknown) => {
      if (!isClientError(error, 'CLOSED', 'E2E_DEVICE_REMOVED')) reportError(env, error, {});
    });
  }

  /**
   * Someone joined or left an encrypted room this device holds the group of: a member commits
   * the change (the first by its place in the group; the others find it done). Someone who left
   * would otherwise keep reading, and the server refuses the room's next message until then.
   */
  onRoomPeople(room: string, user: string): void {
    const { env } = this;
    if (!this.rooms.has(room)) return;
    env.directory.forgetRoom(room);
    const conv = foldName(room);
    if (!env.convs.known(conv) || (env.host.identity && foldName(user) === foldName(env.host.identity.name))) return;
    this.reconcileLater({ conv, name: room });
  }

  /** Whether the directory no longer lists this device; if so it is turned off for good (and reported). */
  async checkRemoved(self: Self, listed?: E2eDirectoryEntry): Promise<ParleyClientError | undefined> {
    const { env } = this;
    const entry = listed ?? (await call(env, 'edevices', { name: self.name }));
    if (entry.user_id !== self.userId || entry.devices.some((d) => d.device_id === env.device().deviceId)) return undefined;
    const error = ParleyClientError.local('E2E_DEVICE_REMOVED', 'This device was removed from the account: it no longer sends or reads encrypted messages');
    if (env.gate.isOpen) {
      await markRemoved(env.storage);
      env.gate.fail(error);
      reportError(env, error, {});
    }
    return error;
  }

  /**
   * The periodic update of groups this device only reads in (one that sends updates before it
   * sends): checked at each login and every few hours while connected.
   */
  async updateQuiet(): Promise<void> {
    const { env } = this;
    for (const conv of env.convs.list()) {
      const state = await env.convs.get(conv);
      if (state.group?.active && updateDue(state, false)) this.reconcileLater(this.targetOf(conv));
    }
  }

  /** Every conversation this device has a group for (one of its user's devices came or went). */
  reconcileAll(): void {
    for (const conv of this.env.convs.list()) this.reconcileLater(this.targetOf(conv));
  }

  /**
   * A reconcile of the conversation's group in the background. Unless `now`, after a short
   * delay: every device that heard of a change would otherwise commit at once, and all but one lose.
   */
  reconcileLater(target: Omit<Target, 'name'> & { name?: string }, options: { resume?: boolean; now?: boolean } = {}): void {
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
    // Not set up yet (the event came during a login): no place in the group to wait for.
    if (!this.env.gate.isOpen) return Math.random() * JITTER_MS;
    const self = this.env.device();
    const members = this.env.convs.loaded(conv)?.group?.members() ?? [];
    return roomCommitDelay(members.findIndex((m) => m.userId === self.userId && m.deviceId === self.deviceId), JITTER_MS);
  }

  /** What a conversation this device has a group for is, to the verbs. */
  private targetOf(conv: string): Omit<Target, 'name'> {
    return isRoomTarget(conv) ? { conv } : { conv, peerId: peerIdOf(conv, this.env.self().userId) };
  }
}
