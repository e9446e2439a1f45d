import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '@parley/server';
import { startTestServer, waitFor, type TestServer } from '../src/index.ts';

/** federation.denylist is live: a reload that denies a linked server closes its link and keeps it out. */
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop({ removeData: true });
});

const linkedTo = (s: TestServer, name: string) => s.server.context.federation!.peerList().some((p) => p.name === name && p.linked);

describe('federation settings at reload', () => {
  it('closes the link to a server a reloaded denylist names, and refuses it from then on', async () => {
    const a = await startTestServer({ server_name: 'a.test', federation: { enabled: true, listen: ['127.0.0.1:0'] } });
    servers.push(a);
    const aPort = a.server.context.federation!.links.bound[0]!.port;
    const b = await startTestServer({ server_name: 'b.test', federation: { enabled: true, listen: ['127.0.0.1:0'], peers: [`127.0.0.1:${aPort}`] } });
    servers.push(b);
    await waitFor(() => linkedTo(a, 'b.test'), 'linked', 20_000);
    const bId = b.server.context.federation!.identity.id;
    const plan = await a.server.reload(ConfigSchema.parse({ ...a.config, federation: { ...a.config.federation, denylist: [bId] } }));
    expect(plan.applied).toContain('federation.denylist');
    await waitFor(() => !linkedTo(a, 'b.test') && !linkedTo(b, 'a.test'), 'the link closed', 20_000);
    // B keeps redialing (15 ms, doubling); A refuses each time.
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      expect(linkedTo(a, 'b.test')).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);
});
