import type { ParleyClient } from '@parley/client';
import { describe, expect, it, vi } from 'vitest';
import { runE2eCommand, type E2eCommandContext } from './e2e-commands.ts';

const NUMBER = '11111 22222 33333 44444 55555 66666 77777 88888 99999 00000 12345 67890';

function fakeContext(input: { verification?: string; number?: string; ready?: Promise<void>; target?: string; e2e?: boolean } = {}) {
  const e2e = {
    whenReady: () => input.ready ?? Promise.resolve(),
    safetyNumber: vi.fn(async () => input.number ?? NUMBER),
    verification: vi.fn(async () => input.verification ?? 'unverified'),
    markVerified: vi.fn(async () => undefined),
    acceptIdentity: vi.fn(async () => undefined),
  };
  const lines: string[] = [];
  const sent: [string, string][] = [];
  const ctx: E2eCommandContext = {
    client: { e2e: input.e2e === false ? undefined : e2e, identity: { name: 'alice' } } as unknown as ParleyClient,
    target: input.target,
    shown: new Map(),
    out: (line) => lines.push(line),
    sendPlain: (to, text) => sent.push([to, text]),
    trustChanged: vi.fn(),
  };
  return { ctx, e2e, lines, sent };
}

describe('/verify, /trust, /plain', () => {
  it('/verify shows the number; "yes" marks verified only the number that was shown', async () => {
    const { ctx, e2e, lines } = fakeContext();
    await runE2eCommand(ctx, 'verify', ' bob yes');
    expect(e2e.markVerified).not.toHaveBeenCalled();
    expect(lines[0]).toBe('Compare the number first:');
    expect(lines).toContain('  11111 22222 33333 44444 55555 66666');
    await runE2eCommand(ctx, 'verify', ' Bob yes');
    expect(e2e.markVerified).toHaveBeenCalledWith('Bob', NUMBER);
    expect(ctx.trustChanged).toHaveBeenCalledWith('Bob');
    expect(lines.at(-1)).toBe("Bob is verified. If Bob's identity key ever changes, you will be warned.");
  });

  it('refuses "yes" when the number changed since it was shown', async () => {
    const first = fakeContext();
    await runE2eCommand(first.ctx, 'verify', 'bob');
    const { ctx, e2e, lines } = fakeContext({ number: NUMBER.replace('11111', '99999') });
    ctx.shown = first.ctx.shown;
    await runE2eCommand(ctx, 'verify', 'bob yes');
    expect(e2e.markVerified).not.toHaveBeenCalled();
    expect(lines[0]).toMatch(/safety number changed since it was shown/);
  });

  it('takes the person from the DM window, and needs a working e2e session', async () => {
    const { ctx, e2e } = fakeContext({ target: 'bob' });
    await runE2eCommand(ctx, 'verify', '');
    await runE2eCommand(ctx, 'verify', ' yes');
    expect(e2e.safetyNumber).toHaveBeenCalledWith('bob');
    expect(e2e.markVerified).toHaveBeenCalledWith('bob', NUMBER);
    await expect(runE2eCommand(fakeContext().ctx, 'verify', '')).rejects.toThrow(/usage: \/verify/);
    await expect(runE2eCommand(fakeContext({ e2e: false }).ctx, 'verify', 'bob')).rejects.toThrow(/off in this session \(--no-e2e\)/);
    const failed = fakeContext({ ready: Promise.reject(new Error('E2E_IDENTITY_CHANGED')) });
    await expect(runE2eCommand(failed.ctx, 'verify', 'bob')).rejects.toThrow(/not working in this session: E2E_IDENTITY_CHANGED/);
  });

  it('/trust accepts only a changed key', async () => {
    const same = fakeContext();
    await runE2eCommand(same.ctx, 'trust', 'bob');
    expect(same.e2e.acceptIdentity).not.toHaveBeenCalled();
    expect(same.lines[0]).toMatch(/has not changed: nothing to accept/);
    const changed = fakeContext({ verification: 'changed' });
    await runE2eCommand(changed.ctx, 'trust', 'bob');
    expect(changed.e2e.acceptIdentity).toHaveBeenCalledWith('bob');
    expect(changed.lines[0]).toMatch(/^You accepted bob's new identity key/);
  });

  it('/plain sends to the DM on screen, or to the person named first', async () => {
    const inWindow = fakeContext({ target: 'carol' });
    await runE2eCommand(inWindow.ctx, 'plain', ' hello there');
    const elsewhere = fakeContext();
    await runE2eCommand(elsewhere.ctx, 'plain', ' carol hello there');
    expect([...inWindow.sent, ...elsewhere.sent]).toEqual([
      ['carol', 'hello there'],
      ['carol', 'hello there'],
    ]);
    await expect(runE2eCommand(elsewhere.ctx, 'plain', ' carol')).rejects.toThrow('usage: /plain name text');
    expect(await runE2eCommand(elsewhere.ctx, 'join', '#x')).toBe(false);
  });
});
