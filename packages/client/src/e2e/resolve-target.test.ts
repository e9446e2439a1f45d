import type { E2eDirectoryEntry } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ParleyClientError } from '../errors.ts';
import type { E2eEnv } from './context.ts';
import { DirectoryCache, resolveTarget } from './directory.ts';

const device = { device_id: 'd1', certificate: 'AA' };
const entry = (name: string, userId: string): E2eDirectoryEntry => ({ name, user_id: userId, identity_key: 'k', devices: [device] });

/** carol (a1) with a directory that has `names`, and conversations whose peer names she knows. */
function envWith(names: Record<string, E2eDirectoryEntry>, peers: Record<string, string>): E2eEnv {
  const host = {
    request: async (cmd: string, args: { name: string }) => {
      if (cmd !== 'edevices') throw new Error(`unexpected ${cmd}`);
      const found = names[args.name];
      if (!found) throw new ParleyClientError(`No user named ${args.name}`, { code: 3000, errorName: 'NO_SUCH_USER', action: 'fix' });
      return found;
    },
  };
  return { host, self: () => ({ name: 'carol', userId: 'a1' }), convs: { peerOf: (conv: string) => peers[conv] }, directory: new DirectoryCache() } as unknown as E2eEnv;
}

describe('resolveTarget', () => {
  it('by name: whoever has the name now', async () => {
    await expect(resolveTarget(envWith({ dave: entry('dave', 'g9') }, {}), 'dave')).resolves.toEqual({ conv: 'dm:a1:g9', name: 'dave', peerId: 'g9' });
  });

  it("by conversation id: that conversation's person, never a newcomer who took the name (a guest who left)", async () => {
    const peers = { 'dm:a1:g5': 'dave' };
    await expect(resolveTarget(envWith({ dave: entry('dave', 'g5') }, peers), 'dm:a1:g5')).resolves.toEqual({ conv: 'dm:a1:g5', name: 'dave', peerId: 'g5' });
    const left = { errorName: 'NO_SUCH_USER', message: 'dave has left; guests cannot get messages while offline' };
    await expect(resolveTarget(envWith({ dave: entry('dave', 'g9') }, peers), 'dm:a1:g5')).rejects.toMatchObject(left);
    await expect(resolveTarget(envWith({}, peers), 'dm:a1:g5')).rejects.toMatchObject(left);
    await expect(resolveTarget(envWith({ erin: entry('erin', 'a7') }, { 'dm:a1:a2': 'erin' }), 'dm:a1:a2')).rejects.toMatchObject({ errorName: 'NO_SUCH_USER', message: 'erin is not the name of the person in this conversation any more' });
  });

  it('someone of another server, by name or by a conversation with them: like anyone, from the entry this server got from theirs', async () => {
    const bob = { 'bob@b.test': entry('bob@b.test', 'a5@ps1x') };
    const resolved = { conv: 'dm:a1:a5@ps1x', name: 'bob@b.test', peerId: 'a5@ps1x' };
    await expect(resolveTarget(envWith(bob, {}), 'bob@b.test')).resolves.toEqual(resolved);
    await expect(resolveTarget(envWith(bob, { 'dm:a1:a5@ps1x': 'bob@b.test' }), 'dm:a1:a5@ps1x')).resolves.toEqual(resolved);
    // Without devices there, as for anyone without keys: unencrypted only by choice.
    const keyless = { 'bob@b.test': { ...entry('bob@b.test', 'a5@ps1x'), devices: [] } };
    await expect(resolveTarget(envWith(keyless, {}), 'bob@b.test')).rejects.toMatchObject({ errorName: 'E2E_PEER_UNENCRYPTED', message: expect.stringContaining('bob@b.test has no end-to-end devices') });
  });
});
