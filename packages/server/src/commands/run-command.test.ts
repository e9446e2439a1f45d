import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpoint, type Checkpoint } from '../../test/checkpoint-fixture.ts';

/** The one checkpoint every command passes, in the order docs/protocol.md gives ("The order of checks"). */
let checkpoint: Checkpoint | undefined;
afterEach(async () => {
  await checkpoint?.stop();
  checkpoint = undefined;
});

async function textSession(settings: Record<string, unknown> = {}) {
  checkpoint ??= await startCheckpoint(settings);
  const { session, sink } = checkpoint.open();
  session.setMode('text', 'stream');
  const say = async (line: string) => {
    const before = sink.lines().length;
    session.receive({ kind: 'line', text: line });
    await session.idle();
    session.flush();
    return sink.lines().slice(before);
  };
  return { session, sink, say };
}

async function jsonSession() {
  checkpoint ??= await startCheckpoint();
  const { session, sink } = checkpoint.open();
  session.setMode('json', 'stream');
  const call = async (frame: Record<string, unknown>) => {
    const before = sink.lines().length;
    session.receive({ kind: 'frame', value: frame });
    await session.idle();
    session.flush();
    return sink.lines().slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { session, call };
}

describe('runCommand', () => {
  it('refuses unknown verbs and anything before hello on a structured connection', async () => {
    const { call } = await jsonSession();
    expect(await call({ cmd: 'frobnicate' })).toMatchObject([{ ok: false, error: { name: 'UNKNOWN_COMMAND' } }]);
    expect(await call({ cmd: 'list', id: 1 })).toMatchObject([{ re: 1, ok: false, error: { name: 'HELLO_REQUIRED' } }]);
    expect(await call({ cmd: 'hello', v: 1, id: { bad: true } })).toMatchObject([{ ok: false, error: { name: 'BAD_FRAME' } }]);
    expect(await call({ cmd: 'hello', v: 1, id: 2 })).toMatchObject([{ re: 2, ok: true }]);
  });

  it('checks login before arguments, arguments before roles, roles before the handler', async () => {
    const { say } = await textSession();
    expect(await say('LIST')).toEqual([expect.stringMatching(/^ERR 2000 NOT_LOGGED_IN /)]);
    expect(await say('GUEST gus')).toEqual([expect.stringMatching(/^OK welcome gus/)]);
    expect(await say('GUEST again')).toEqual([expect.stringMatching(/^ERR 2001 ALREADY_LOGGED_IN /)]);
    expect(await say('HISTORY #general 9999')).toEqual([expect.stringMatching(/^ERR 1003 BAD_ARGUMENTS history: limit/)]);
    expect(await say('BAN 10.0.0.1 999999999w')).toEqual([expect.stringMatching(/^ERR 1003 BAD_ARGUMENTS ban: duration/)]);
    expect(await say('BAN 10.0.0.1')).toEqual([expect.stringMatching(/^ERR 2005 FORBIDDEN BAN needs the operator role/)]);
  });

  it('turns a throw that is not a ParleyError into INTERNAL and keeps the connection', async () => {
    const { say, session } = await textSession();
    await say('GUEST gus');
    const store = checkpoint!.server.context.store;
    const history = store.history.bind(store);
    store.history = () => Promise.reject(new Error('disk on fire'));
    expect(await say('HISTORY #general')).toEqual(['ERR 5000 INTERNAL Internal server error']);
    store.history = history;
    expect(session.closed).toBe(false);
    expect(await say('PING')).toEqual(['OK PONG']);
  });

  it('closes the connection after a stop error, and for flooding after repeated excess', async () => {
    const { call, session } = await jsonSession();
    await call({ cmd: 'hello', v: 1 });
    expect(await call({ cmd: 'hello', v: 7 })).toMatchObject([{ ok: false, error: { name: 'UNSUPPORTED_VERSION', action: 'stop' } }]);
    expect(session.closed).toBe(true);

    await checkpoint!.stop();
    checkpoint = await startCheckpoint({ limits: { messages_per_minute: 1, message_burst: 1, flood_disconnect_after: 3 } });
    const { say, session: flooder, sink } = await textSession();
    await say('GUEST fay');
    for (let i = 0; i < 4; i++) await say(`SAY #general spam ${i}`);
    expect(flooder.closed).toBe(true);
    expect(sink.lines().filter((line) => line.startsWith('ERR 4000 RATE_LIMITED'))).toHaveLength(3);
    expect(sink.lines().at(-1)).toMatch(/^ERR 4005 FLOODING /);
  });

  it('a failure after the reply (delivering offline messages) is logged, not answered with a second reply', async () => {
    const { say } = await textSession();
    expect(await say('REGISTER dora password123')).toEqual([expect.stringMatching(/^OK welcome dora/)]);
    const store = checkpoint!.server.context.store;
    store.pendingFor = () => Promise.resolve([{ conv: 'dm:a1:a1', seq: 1, senderId: 'a1', senderName: 'dora', target: 'dora', text: 'note to self', createdAt: 0 }]);
    store.clearPending = () => Promise.reject(new Error('disk full'));
    const { say: again } = await textSession();
    const lines = await again('LOGIN dora password123');
    expect(lines.filter((line) => /^(OK|ERR)/.test(line))).toEqual([expect.stringMatching(/^OK welcome dora/)]);
    expect(lines).toContain('MSG dora dora note to self');
  });

  it('answers a malformed line with a coded error from the grammar, never a throw', async () => {
    const { say } = await textSession();
    await say('GUEST gus');
    expect(await say('MODE #general imt')).toEqual([expect.stringMatching(/^ERR 1003 BAD_ARGUMENTS /)]);
    expect(await say('')).toEqual([expect.stringMatching(/^ERR 1002 UNKNOWN_COMMAND Empty line/)]);
  });
});
