import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryE2eStorage, ParleyClient } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import { generateIdentityKeyPair } from '@parley/e2e';
import { spawnServer } from '@parley/testkit';
import { Phase } from '../proc.ts';

/**
 * A large encrypted room through the server and the SDK, beside a plaintext room of the same
 * people: what a message, a join and a part cost once every member's device is in the group.
 * Each phase ends when every member's client has read (decrypted) what it waits for; its server
 * CPU is the server's whole work for it, the clients' MLS work is the load generator's.
 */
export interface RoomPhaseResult {
  scenario: 'sdk-room';
  members: number;
  phase: string;
  ms: number;
  serverCpuMs: number;
  complete: boolean;
}

const SERVER_ENV = {
  PARLEY_LOG_LEVEL: 'warn',
  PARLEY_ROOMS_DEFAULT: '',
  PARLEY_LIMITS_MESSAGES_PER_MINUTE: '100000000',
  PARLEY_LIMITS_MESSAGE_BURST: '1000000',
  PARLEY_LIMITS_MAX_CONNECTIONS_PER_IP: '10000',
  PARLEY_LIMITS_JOINS_PER_MINUTE: '100000000',
  PARLEY_LIMITS_JOIN_BURST: '1000000',
  PARLEY_LIMITS_COMMANDS_PER_MINUTE_PER_CONNECTION: '100000000',
  PARLEY_LIMITS_COMMAND_BURST_PER_CONNECTION: '1000000',
};

interface Member {
  client: ParleyClient;
  name: string;
  read: Set<string>;
}

const PHASE_TIMEOUT_MS = 300_000;

async function member(input: { port: number; hosts: string; name: string }): Promise<Member> {
  const transport = nodeTransport({ knownHosts: new KnownHosts(input.hosts), acceptNew: true });
  const e2e = { identity: await generateIdentityKeyPair({ extractable: true }), storage: memoryE2eStorage() };
  const client = new ParleyClient({ url: `tls://127.0.0.1:${input.port}`, transport, credentials: { kind: 'guest', name: input.name }, requestTimeoutMs: 120_000, e2e });
  const joined: Member = { client, name: input.name, read: new Set() };
  client.on('message', (m) => joined.read.add(`${m.to} ${m.text}`));
  await client.connect();
  await client.e2e?.whenReady();
  return joined;
}

/** Resolves when every member has read `text` in `room`; false at the deadline. */
function readByAll(members: readonly Member[], room: string, text: string): Promise<boolean> {
  const key = `${room} ${text}`;
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  return new Promise((resolve) => {
    const check = () => {
      if (members.every((m) => m.read.has(key))) resolve(true);
      else if (Date.now() > deadline) resolve(false);
      else setTimeout(check, 5);
    };
    check();
  });
}

export async function sdkRoom(input: { members: number; prefix: string[] }): Promise<RoomPhaseResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-room-'));
  const hosts = join(mkdtempSync(join(tmpdir(), 'parley-bench-hosts-')), 'known_hosts');
  const server = await spawnServer({ dataDir, tls: true, built: true, env: SERVER_ENV, prefix: input.prefix });
  const port = server.tlsPort!;
  const list: Member[] = [];
  const results: RoomPhaseResult[] = [];
  const measure = async (phase: string, run: () => Promise<boolean>) => {
    const timer = new Phase(server.process.pid!);
    const complete = await run();
    const { wallMs, cpuUs } = timer.end();
    results.push({ scenario: 'sdk-room', members: input.members, phase, ms: Math.round(wallMs), serverCpuMs: Number((cpuUs / 1000).toFixed(1)), complete });
  };
  try {
    for (let i = 0; i < input.members; i++) list.push(await member({ port, hosts, name: `m${i}` }));
    const [owner, speaker, leaver] = list as [Member, Member, Member];
    await owner.client.request('create', { room: '#sealed', encrypted: true });
    await owner.client.request('create', { room: '#open' });
    for (const m of list.slice(1)) {
      await m.client.join('#sealed');
      await m.client.join('#open');
    }
    const others = (sender: Member, among = list) => among.filter((m) => m !== sender);
    const sendAndWait = async (sender: Member, message: { room: string; text: string; among?: Member[] }) => {
      await sender.client.send(message.room, message.text);
      return readByAll(others(sender, message.among ?? list), message.room, message.text);
    };
    await measure('first message: the group made, every device added', () => sendAndWait(owner, { room: '#sealed', text: 'first' }));
    // The speaker's first message also carries its update commit (a joiner's, for post-compromise security): not counted.
    await sendAndWait(speaker, { room: '#sealed', text: 'warm' });
    for (const room of ['#open', '#sealed']) {
      await measure(`${room === '#open' ? 'plaintext' : 'encrypted'} message to every member (×5)`, async () => {
        let ok = true;
        for (let i = 0; i < 5; i++) ok = (await sendAndWait(speaker, { room, text: `m${i}` })) && ok;
        return ok;
      });
    }
    const newcomer = await member({ port, hosts, name: `m${input.members}` });
    list.push(newcomer);
    await measure('a member joins: added by a commit, its update, its first message', async () => {
      await newcomer.client.join('#sealed');
      return sendAndWait(newcomer, { room: '#sealed', text: 'hello from the newcomer' });
    });
    await measure('a member leaves: its removal committed before the next message', async () => {
      await leaver.client.part('#sealed');
      return sendAndWait(speaker, { room: '#sealed', text: 'after the part', among: list.filter((m) => m !== leaver) });
    });
    return results;
  } finally {
    await Promise.all(list.map((m) => m.client.close()));
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
