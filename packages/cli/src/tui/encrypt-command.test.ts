import { ParleyClientError } from '@parley/client';
import { describe, expect, it, vi } from 'vitest';
import { runEncrypt, type EncryptContext } from './encrypt-command.ts';

type Reply = { verb: string; args: Record<string, unknown> };

/** A client whose `request` answers like the server (or refuses with `refuse`), and the UI hooks recorded. */
function fake(input: { current?: string; rooms?: Record<string, boolean>; e2e?: boolean; refuse?: ParleyClientError } = {}) {
  const asked: Reply[] = [];
  const request = vi.fn(async (verb: string, args: Record<string, unknown>) => {
    asked.push({ verb, args });
    if (input.refuse) throw input.refuse;
    const room = String(args.room);
    if (verb === 'create') return { name: room, topic: '', members: 1, encrypted: true, conv: room, lastSeq: 0 };
    return { room, modes: { inviteOnly: false, password: false, moderated: false, topicLock: false, encrypted: true } };
  });
  const said: [string, string][] = [];
  const created: string[] = [];
  const encrypted: [string, boolean][] = [];
  const rooms = input.rooms ?? {};
  const ctx: EncryptContext = {
    client: { request, e2e: input.e2e === false ? undefined : {} } as unknown as EncryptContext['client'],
    current: input.current,
    joined: (room) => (room in rooms ? { encrypted: rooms[room]! } : undefined),
    created: (room) => created.push(room.name),
    encrypted: (room, on) => encrypted.push([room, on]),
    say: (text, room) => said.push([room, text]),
  };
  return { ctx, asked, said, created, encrypted };
}

describe('/encrypt', () => {
  it('turns on encryption in the room on screen, or one named that I am in, with MODE +E', async () => {
    const here = fake({ current: '#plans', rooms: { '#plans': false } });
    await runEncrypt(here.ctx, '');
    expect(here.asked).toEqual([{ verb: 'mode', args: { room: '#plans', encrypted: true } }]);
    expect(here.encrypted).toEqual([['#plans', true]]);
    expect(here.said).toEqual([['#plans', "#plans is end-to-end encrypted now, for good: only its members' devices can read what is said there from here on (earlier messages stay as they were)."]]);
    const named = fake({ current: '#general', rooms: { '#general': false, '#plans': false } });
    await runEncrypt(named.ctx, ' #plans');
    expect(named.asked[0]?.args).toEqual({ room: '#plans', encrypted: true });
  });

  it('creates a room I am not in, encrypted from the start', async () => {
    const { ctx, asked, created, said } = fake({ current: '#general', rooms: { '#general': false } });
    await runEncrypt(ctx, '#vault');
    expect(asked).toEqual([{ verb: 'create', args: { room: '#vault', encrypted: true } }]);
    expect(created).toEqual(['#vault']);
    expect(said[0]).toEqual(['#vault', "created #vault, end-to-end encrypted: only its members' devices can read what is said there."]);
  });

  it('asks nothing for a room already encrypted; warns a session without e2e that it shuts itself out', async () => {
    const already = fake({ current: '#secret', rooms: { '#secret': true } });
    await runEncrypt(already.ctx, '');
    expect(already.asked).toEqual([]);
    expect(already.said).toEqual([['#secret', '#secret is already end-to-end encrypted.']]);
    const noE2e = fake({ current: '#plans', rooms: { '#plans': false }, e2e: false });
    await runEncrypt(noE2e.ctx, '');
    expect(noE2e.said[0]?.[1]).toMatch(/This session has no end-to-end encryption \(--no-e2e\): it can neither read nor write there\.$/);
  });

  it('says who may do it when the server refuses, and the usage for a wrong call', async () => {
    const refuse = new ParleyClientError('MODE in #plans needs its moderator role or a server operator', { code: 2005, errorName: 'FORBIDDEN', action: 'fix' });
    const { ctx, encrypted } = fake({ current: '#plans', rooms: { '#plans': false }, refuse });
    const error = await runEncrypt(ctx, '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyClientError);
    expect(error).toMatchObject({ errorName: 'FORBIDDEN', message: 'only an owner of #plans (or a server operator) turns on its end-to-end encryption. The server said: MODE in #plans needs its moderator role or a server operator' });
    expect(encrypted).toEqual([]);
    await expect(runEncrypt(fake().ctx, '')).rejects.toThrow('usage: /encrypt [#room] (in a room, or name one)');
    await expect(runEncrypt(fake({ current: '#plans' }).ctx, 'plans')).rejects.toThrow('usage: /encrypt [#room]');
    await expect(runEncrypt(fake({ current: '#plans' }).ctx, '#a #b')).rejects.toThrow('usage: /encrypt [#room]');
  });
});
