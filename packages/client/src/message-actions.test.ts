import { describe, expect, it } from 'vitest';
import type { CommandArgs, ReplyData, Verb } from '@parley/protocol';
import { ParleyClientError } from './errors.ts';
import { MessagingClient } from './message-actions.ts';
import type { ClientState } from './types.ts';

/** A client with a scripted server in place of the connection. */
class FakeClient extends MessagingClient {
  state: ClientState = 'connected';
  readonly e2e = undefined;
  readonly identity = undefined;
  readonly requests: { cmd: Verb; args: unknown }[] = [];
  failNext: ParleyClientError[] = [];

  async request<TVerb extends Verb>(cmd: TVerb, args: CommandArgs<TVerb>): Promise<ReplyData[TVerb]> {
    this.requests.push({ cmd, args });
    const failure = this.failNext.shift();
    if (failure) throw failure;
    const seq = (args as { seq?: number }).seq ?? 0;
    return { to: '#dev', conv: '#dev', seq, duplicate: false, ref: seq } as never;
  }

  send(): Promise<never> {
    return Promise.reject(new Error('not used here'));
  }

  set(state: ClientState): void {
    this.state = state;
    this.emit('state', { state });
  }
}

const disconnected = () => ParleyClientError.local('DISCONNECTED', 'Not connected');

describe('MessagingClient', () => {
  it('drops typing while disconnected, and sends it when connected', async () => {
    const host = new FakeClient();
    host.set('reconnecting');
    await host.typing('#dev', true);
    expect(host.requests).toEqual([]);
    host.set('connected');
    await host.typing('#dev', false);
    expect(host.requests).toEqual([{ cmd: 'typing', args: { to: '#dev', on: false } }]);
  });

  it('keeps the latest read position per conversation while disconnected and sends it on reconnect', async () => {
    const host = new FakeClient();
    host.set('reconnecting');
    expect(await host.markRead('#Dev', 4)).toBeUndefined();
    await host.markRead('#dev', 9);
    await host.markRead('#dev', 7);
    await host.markRead('bob', 2);
    expect(host.requests).toEqual([]);
    host.set('connected');
    await Promise.resolve();
    expect(host.requests).toEqual([
      { cmd: 'read', args: { to: '#dev', seq: 9 } },
      { cmd: 'read', args: { to: 'bob', seq: 2 } },
    ]);
    // Lost on the way: kept for the next connection.
    host.failNext.push(disconnected());
    expect(await host.markRead('#dev', 10)).toBeUndefined();
    host.set('connected');
    await Promise.resolve();
    expect(host.requests.at(-1)).toEqual({ cmd: 'read', args: { to: '#dev', seq: 10 } });
  });

  it('sends an edit again with the same cmid after a lost connection', async () => {
    const host = new FakeClient();
    host.failNext.push(disconnected());
    expect(await host.edit('#dev', 3, 'fixed')).toMatchObject({ ref: 3, change: { conv: '#dev', seq: 3, kind: 'edit', ref: 3, text: 'fixed' } });
    const [first, second] = host.requests;
    expect(first?.cmd).toBe('edit');
    expect(second).toEqual(first);
    expect((first?.args as { cmid?: string }).cmid).toMatch(/^[0-9a-f]{24}$/);
    await host.unreact('#dev', 3, '👍');
    expect(host.requests.at(-1)).toEqual({ cmd: 'react', args: { to: '#dev', seq: 3, emoji: '👍', remove: true } });
    // The server's refusals are the caller's at once.
    host.failNext.push(ParleyClientError.named('NOT_YOUR_MESSAGE', 'no'));
    await expect(host.redact('#dev', 3)).rejects.toMatchObject({ errorName: 'NOT_YOUR_MESSAGE' });
    expect(host.requests.filter((r) => r.cmd === 'redact')).toHaveLength(1);
  });
});
