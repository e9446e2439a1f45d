import type { ParleyClient } from '@parley/client';
import type { RoomModes } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { modesText, runServerCommand, type ChatContext } from './chat-commands.ts';

const NONE: RoomModes = { inviteOnly: false, password: false, moderated: false, topicLock: false, encrypted: false };

describe('room modes in the terminal clients', () => {
  it('names end-to-end encryption beside the other modes', () => {
    expect(modesText('#dev', NONE)).toBe('#dev modes: none');
    expect(modesText('#dev', { ...NONE, encrypted: true })).toBe('#dev modes: end-to-end encrypted (+E)');
    expect(modesText('#dev', { ...NONE, inviteOnly: true, encrypted: true })).toBe('#dev modes: invite-only (+i), end-to-end encrypted (+E)');
  });

  it('/mode +E goes to the server through the shared grammar, and the reply reaches the hook', async () => {
    const ran: unknown[] = [];
    const client = {
      async runLine(line: { verb: string; args: unknown }) {
        ran.push(line);
        return { verb: 'mode', data: { room: '#dev', modes: { ...NONE, encrypted: true } } };
      },
    } as unknown as ParleyClient;
    const out: string[] = [];
    const modes: [string, RoomModes][] = [];
    const ctx: ChatContext = { client, room: '#dev', out: (line) => out.push(line), status: () => undefined, modes: (room, m) => modes.push([room, m]) };
    await runServerCommand(ctx, '/mode +E');
    expect(ran).toEqual([{ verb: 'mode', args: { room: '#dev', encrypted: true } }]);
    expect(modes).toEqual([['#dev', { ...NONE, encrypted: true }]]);
    expect(out).toEqual(['* #dev modes: end-to-end encrypted (+E)']);
  });
});
