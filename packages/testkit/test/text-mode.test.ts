import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, TextClient, type TestServer } from '../src/index.ts';

/** The README's promise: two people at `openssl s_client` can chat. */
describe('text line mode over TLS', () => {
  let server: TestServer;
  const clients: TextClient[] = [];
  const connect = async () => {
    const client = await TextClient.connect({ port: server.tlsPort, tls: true });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop({ removeData: true });
  });

  it('registers, lists, sends to each other and to ALL, and talks in a room', async () => {
    const alice = await connect();
    const bob = await connect();
    expect(await alice.command('REGISTER alice')).toMatch(/^OK welcome alice \(guest\)/);
    expect(await bob.command('REGISTER bob')).toMatch(/^OK welcome bob/);

    const list = await alice.command('LIST');
    expect(list).toMatch(/^OK LIST 2 /);
    expect(list).toContain('alice');
    expect(list).toContain('bob');

    expect(await alice.command('SEND bob hello bob')).toMatch(/^OK SEND bob:1$/);
    expect(await bob.expect('MSG ')).toBe('MSG alice bob hello bob');

    await bob.command('SEND ALL hi everyone');
    expect(await alice.expect('MSG ')).toBe('MSG bob ALL hi everyone');

    await alice.command('/join #dev');
    await bob.command('JOIN #dev');
    expect(await alice.expect('JOIN bob')).toBe('JOIN bob #dev');
    await bob.command('SAY #dev  spaced   text ');
    // Surrounding spaces are trimmed, inner spacing is kept.
    expect(await alice.expect('MSG ')).toBe('MSG bob #dev spaced   text');
  });

  it('sends to several users in one SEND, each seeing themselves as the recipient', async () => {
    const [alice, bob, carol] = [await connect(), await connect(), await connect()];
    await alice.command('REGISTER alice');
    await bob.command('REGISTER bob');
    await carol.command('REGISTER carol');
    expect(await alice.command('SEND bob,carol lunch?')).toMatch(/^OK SEND bob:1 carol:1$/);
    expect(await bob.expect('MSG ')).toBe('MSG alice bob lunch?');
    expect(await carol.expect('MSG ')).toBe('MSG alice carol lunch?');
  });

  it('answers mistakes with coded ERR lines and keeps the connection', async () => {
    const client = await connect();
    expect(await client.command('SEND bob hi')).toMatch(/^ERR 2000 NOT_LOGGED_IN /);
    expect(await client.command('FROB')).toMatch(/^ERR 1002 UNKNOWN_COMMAND /);
    expect(await client.command('REGISTER all')).toMatch(/^ERR 2004 NAME_INVALID /);
    await client.command('REGISTER dave');
    expect(await client.command('SEND nobody hi')).toMatch(/^ERR 3000 NO_SUCH_USER /);
    expect(await client.command('HISTORY #general abc')).toMatch(/^ERR 1003 BAD_ARGUMENTS /);
    expect(await client.command('SAY #nowhere hi')).toMatch(/^ERR 3001 NO_SUCH_ROOM /);
    expect(await client.command('LIST')).toMatch(/^OK LIST 1 dave$/);
  });

  it('delivers DMs to an offline account at its next login', async () => {
    const alice = await connect();
    expect(await alice.command('REGISTER alice s3cret-pass')).toMatch(/^OK welcome alice \(account\)/);
    alice.close();
    const bob = await connect();
    await bob.command('REGISTER bob');
    expect(await bob.command('SEND alice are you there?')).toMatch(/^OK SEND alice:1$/);
    expect(await bob.command('SEND alice second')).toMatch(/^OK SEND alice:2$/);

    const back = await connect();
    expect(await back.command('LOGIN alice s3cret-pass')).toMatch(/^OK welcome alice \(account\)/);
    expect(await back.expect('MSG ')).toBe('MSG bob alice are you there?');
    expect(await back.expect('MSG ')).toBe('MSG bob alice second');

    // Delivered once: a second login does not replay them.
    const again = await connect();
    await again.command('LOGIN alice s3cret-pass');
    await again.command('PING done');
    expect(again.lines.filter((line) => line.startsWith('MSG'))).toEqual([]);
  });

  it('lists the commands for SERVERHELP and HELP', async () => {
    const client = await connect();
    client.send('SERVERHELP');
    expect(await client.expect('OK HELP')).toBe('OK HELP');
    const usage = client.lines.filter((line) => line.startsWith('HELP '));
    for (const verb of ['REGISTER', 'SEND', 'LIST', 'JOIN', 'PART', 'SAY', 'ROOMS', 'WHO', 'HISTORY', 'NICK', 'QUIT']) {
      expect(usage.some((line) => line.startsWith(`HELP ${verb}`))).toBe(true);
    }
  });

  it('tells a plaintext client on the TLS port how to connect, then closes', async () => {
    const plain = await TextClient.connect({ port: server.tlsPort });
    clients.push(plain);
    plain.send('REGISTER alice');
    expect(await plain.expect('ERR')).toMatch(/^ERR 1006 TLS_REQUIRED .*openssl s_client -connect 127\.0\.0\.1:\d+/);
    await plain.waitClosed();
  });
});
