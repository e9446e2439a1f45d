import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '@parley/protocol';
import { FrameClient } from '../src/frame-client.ts';
import { startTestCluster, type TestCluster } from '../src/cluster-nodes.ts';

/**
 * Guests on two nodes make one new room at once: the node that loses the create re-reads the
 * room while the winner's "room changed" makes it re-read it too. Everyone who joined must be a
 * member of the room its node delivers to (two re-reads at once once left the first joiners in
 * a room object the directory had already replaced, and they never got a message).
 */
let cluster: TestCluster | undefined;
const clients: FrameClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.stop();
  cluster = undefined;
});

describe('a room made on two nodes at once', () => {
  it('delivers its messages to everyone who joined, on both nodes', async () => {
    cluster = await startTestCluster({ nodes: 2, env: { PARLEY_LIMITS_MAX_CONNECTIONS_PER_IP: '200', PARLEY_LIMITS_JOINS_PER_MINUTE: '10000', PARLEY_LIMITS_JOIN_BURST: '1000' } });
    const perNode = 16;
    for (let round = 0; round < 4; round++) {
      const room = `#race${round}`;
      const guests = await Promise.all(
        Array.from({ length: perNode * 2 }, async (_, i) => {
          const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: cluster!.nodes[i % 2]!.tcpPort }, { cmd: 'guest', name: `r${round}g${i}` });
          clients.push(client);
          return client;
        }),
      );
      // Every join at once, half of them on each node: both nodes try to create the room.
      await Promise.all(guests.map((guest) => guest.ok('join', { room })));
      const text = `hello ${room}`;
      await guests[0]!.ok('send', { to: room, text });
      const heard = (client: FrameClient) => client.events().some((e: ServerEvent) => e.ev === 'message' && e.text === text);
      await expect
        .poll(() => guests.slice(1).filter((guest) => !heard(guest)).length, { timeout: 10_000 })
        .toBe(0);
      for (const guest of guests) guest.close();
    }
  });
});
