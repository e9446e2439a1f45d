import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BUS_PAYLOAD_BYTES, openNatsBus, topicSubject, type BusPayload, type NatsBus, type NatsBusOptions } from '@parley/server';
import { describeBusConformance, event } from '../src/bus-conformance.ts';
import { freePort, portOpen, startNatsServer, type PrivateNatsServer } from '../src/nats-server.ts';
import { waitFor } from '../src/wait.ts';

/** The machine's shared NATS: used with a prefix of each test's own, never stopped. */
const MACHINE_NATS = 'nats://127.0.0.1:4222';
const machineNatsUp = await portOpen(4222);

const uniquePrefix = (): string => `parleytest.${randomUUID().replaceAll('-', '')}`;

const open: NatsBus[] = [];
const servers: PrivateNatsServer[] = [];

async function bus(options: Partial<NatsBusOptions> & { subjectPrefix: string }): Promise<NatsBus> {
  const opened = await openNatsBus({ servers: MACHINE_NATS, nodeId: `n${open.length + 1}`, ...options });
  open.push(opened);
  return opened;
}

afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  for (const s of servers.splice(0)) await s.stop();
});

if (machineNatsUp) {
  describeBusConformance('nats', async ({ onHandlerError }) => {
    const subjectPrefix = uniquePrefix();
    const nodes = await Promise.all(['n1', 'n2', 'n3'].map((nodeId) => openNatsBus({ servers: MACHINE_NATS, nodeId, subjectPrefix, onHandlerError })));
    for (const node of nodes) expect(node.stats().connected).toBe(true);
    return { nodes, settle: async () => void (await Promise.all(nodes.map((n) => n.flush()))) };
  });
} else {
  describe.skip('Bus conformance: nats (skipped: no NATS listening on 127.0.0.1:4222)', () => {
    it('needs the machine NATS', () => {});
  });
}

describe.skipIf(!machineNatsUp)('NATS bus on the wire (needs NATS on 127.0.0.1:4222)', () => {
  it('drops and counts a payload over MAX_BUS_PAYLOAD_BYTES, still delivering it locally', async () => {
    const subjectPrefix = uniquePrefix();
    const [a, b] = [await bus({ subjectPrefix }), await bus({ subjectPrefix })];
    const got: BusPayload[] = [];
    const mine: BusPayload[] = [];
    b.subscribe('conv.#big', (p) => got.push(p));
    a.subscribe('conv.#big', (p) => mine.push(p));
    await b.flush();
    a.publish('conv.#big', event('big', 'x'.repeat(MAX_BUS_PAYLOAD_BYTES)));
    a.publish('conv.#big', event('small'));
    expect(mine).toHaveLength(2);
    expect(a.stats()).toMatchObject({ dropped: 1, oversize: 1, published: 1 });
    await waitFor(() => got.length === 1, 'the small payload');
    expect(got).toEqual([event('small')]);
  });

  it('ignores and counts garbage published raw on a bus subject', async () => {
    const subjectPrefix = uniquePrefix();
    const [a, b] = [await bus({ subjectPrefix }), await bus({ subjectPrefix })];
    const got: BusPayload[] = [];
    b.subscribe('conv.#general', (p) => got.push(p));
    await b.flush();
    const raw = await connect({ servers: MACHINE_NATS });
    try {
      const subject = topicSubject(subjectPrefix, 'conv.#general');
      const garbage = [
        new Uint8Array([0xc1]), // never valid MessagePack
        new TextEncoder().encode('{"from":"x","payload":{}}'), // JSON, not MessagePack
        new Uint8Array([0x93, 0x01, 0x02, 0x03]), // MessagePack, not a frame
        new Uint8Array([0x82, 0xa4, 0x66, 0x72, 0x6f, 0x6d, 0xa1, 0x78, 0xa7, 0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64, 0xc0]), // {from:'x', payload:null}
        new Uint8Array(0),
      ];
      for (const bytes of garbage) raw.publish(subject, bytes);
      await raw.flush();
    } finally {
      await raw.close();
    }
    a.publish('conv.#general', event('fine'));
    await waitFor(() => got.length === 1, 'the good payload after the garbage');
    expect(got).toEqual([event('fine')]);
    expect(b.stats()).toMatchObject({ malformed: 5, received: 1 });
  });

  it('opens promptly when NATS is down and works once it comes up', async () => {
    const port = await freePort();
    const statuses: boolean[] = [];
    const started = Date.now();
    const subjectPrefix = uniquePrefix();
    const a = await bus({ servers: `nats://127.0.0.1:${port}`, subjectPrefix, onStatus: (e) => statuses.push(e.connected) });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(a.stats().connected).toBe(false);
    const got: BusPayload[] = [];
    a.subscribe('conv.#later', (p) => got.push(p));
    expect(() => a.publish('conv.#later', event('while down'))).not.toThrow();
    expect(got).toHaveLength(1); // local subscribers still hear it
    expect(a.stats()).toMatchObject({ dropped: 1, published: 0 });

    const server = await startNatsServer({ port });
    servers.push(server);
    await waitFor(() => a.stats().connected, 'the bus to connect once NATS is up');
    const b = await bus({ servers: server.url, subjectPrefix });
    await a.flush();
    b.publish('conv.#later', event('after'));
    await waitFor(() => got.length === 2, 'the first remote payload');
    expect(got[1]).toEqual(event('after'));
    expect(statuses).toContain(true);
  });

  it('reports a NATS restart, never throws meanwhile, and delivers again without re-subscribing', async () => {
    const server = await startNatsServer();
    servers.push(server);
    const subjectPrefix = uniquePrefix();
    const statuses: { connected: boolean; detail: string }[] = [];
    const a = await bus({ servers: server.url, subjectPrefix });
    const b = await bus({ servers: `${server.url}, ${server.url}`, subjectPrefix, onStatus: (e) => statuses.push(e) });
    const got: unknown[] = [];
    b.subscribe('conv.#restart', (p, meta) => {
      if (!meta.local) got.push((p as { data: unknown }).data);
    });
    await b.flush();
    a.publish('conv.#restart', event('n', 'before'));
    await waitFor(() => got.length === 1, 'delivery before the restart');

    await server.stop();
    await waitFor(() => !a.stats().connected && !b.stats().connected, 'both buses to see NATS gone');
    expect(statuses.at(-1)?.connected).toBe(false);
    const dropped = a.stats().dropped;
    for (let i = 0; i < 10; i++) expect(() => a.publish('conv.#restart', event('n', `down ${i}`))).not.toThrow();
    expect(a.stats().dropped).toBe(dropped + 10);

    await server.start();
    await waitFor(() => a.stats().connected && b.stats().connected, 'both buses to reconnect', 15_000);
    expect(statuses.at(-1)?.connected).toBe(true);
    expect(b.stats().disconnects).toBeGreaterThanOrEqual(1);
    await b.flush();
    await a.flush();
    a.publish('conv.#restart', event('n', 'after'));
    await waitFor(() => got.length === 2, 'delivery after the restart on the old subscription');
    expect(got).toEqual(['before', 'after']);
  });

  it('closes promptly while NATS is down, before ever connecting', async () => {
    const port = await freePort();
    const a = await openNatsBus({ servers: `nats://127.0.0.1:${port}`, nodeId: 'lonely' });
    const started = Date.now();
    await a.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    a.publish('conv.x', event('late'));
    expect(a.stats()).toMatchObject({ connected: false, dropped: 1 });
  });

  it('refuses a prefix that is not plain subject tokens', async () => {
    await expect(openNatsBus({ servers: MACHINE_NATS, nodeId: 'n', subjectPrefix: 'a.*' })).rejects.toThrow(RangeError);
    await expect(openNatsBus({ servers: ' , ', nodeId: 'n' })).rejects.toThrow(RangeError);
  });
});
