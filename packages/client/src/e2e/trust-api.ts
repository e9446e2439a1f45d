import { fromBase64Url, safetyNumber } from '@parley/e2e';
import { ALL_TARGET, isRoomTarget, type E2eDirectoryEntry } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import { call, dmConversation, type E2eEnv } from './context.ts';
import type { Target } from './directory.ts';
import { safetyNumberIds } from './e2e-ids.ts';
import type { Verification } from './trust-store.ts';

/**
 * What a person does about trust, by name: compare safety numbers, mark them verified, accept a
 * changed identity key. The directory says which key a name has now; the trust store says which
 * one this device pinned.
 */
export class TrustApi {
  constructor(
    private readonly env: E2eEnv,
    private readonly hooks: { identityKey: () => Promise<Uint8Array>; afterTrust: (target: Target) => void },
  ) {}

  private async keyed(name: string): Promise<E2eDirectoryEntry & { identity_key: string }> {
    const entry = await call(this.env, 'edevices', { name });
    if (entry.identity_key === null) throw ParleyClientError.local('E2E_PEER_UNENCRYPTED', `${entry.name} has no end-to-end identity key`);
    return { ...entry, identity_key: entry.identity_key };
  }

  /** From the directory's current key: if the server lied about it, the two people's digits differ. */
  async safetyNumber(name: string): Promise<string> {
    return this.numberFor(await this.keyed(name));
  }

  private async numberFor(entry: E2eDirectoryEntry & { identity_key: string }): Promise<string> {
    const ids = safetyNumberIds(this.env.self(), entry.user_id);
    return safetyNumber({ userId: ids.own, identityKey: await this.hooks.identityKey() }, { userId: ids.peer, identityKey: fromBase64Url(entry.identity_key) });
  }

  async verification(name: string): Promise<Verification> {
    const entry = await call(this.env, 'edevices', { name });
    return this.env.trust.verification(entry.user_id, entry.identity_key);
  }

  /** Pins the current key (verified, or just accepted), then lets the shared group catch up with it. */
  async accept(name: string, options: { verified: boolean; shown?: string }): Promise<void> {
    const entry = await this.keyed(name);
    if (options.shown !== undefined && options.shown.replace(/\s/g, '') !== (await this.numberFor(entry)).replace(/\s/g, '')) {
      throw ParleyClientError.local('E2E_PEER_IDENTITY_CHANGED', `${entry.name}'s identity key changed after the safety number was shown: compare the new one`);
    }
    await this.env.trust.pin(entry.user_id, entry.identity_key, options);
    const self = this.env.self();
    this.hooks.afterTrust({ conv: dmConversation(self.userId, entry.user_id), name: entry.name, peerId: entry.user_id });
  }

  async conversationEncryption(name: string): Promise<'encrypted' | 'unencrypted'> {
    if (isRoomTarget(name) || name.toUpperCase() === ALL_TARGET) return 'unencrypted';
    const entry = await call(this.env, 'edevices', { name });
    return entry.devices.length > 0 ? 'encrypted' : 'unencrypted';
  }
}
