import { ParleyClient, type DeviceCredential, type StateChange } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { AuditInfo } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { useServerScope, waitFor } from '../src/index.ts';

/** The SDK's side of device credentials: `remember`, the `device` event, reconnecting with the token. */
const scope = useServerScope();
const PASSWORD = 'correct-horse';

describe('the SDK with remember', () => {
  it('keeps the issued token, reconnects with it instead of the password, and stops once it is revoked', async () => {
    const first = await scope.start();
    const { tcpPort: port, dataDir } = first;
    const client = new ParleyClient({
      url: `tcp://127.0.0.1:${port}`,
      transport: nodeTransport(),
      credentials: { kind: 'register', name: 'alice', password: PASSWORD },
      remember: 'Test rig',
      backoff: { initialMs: 20, maxMs: 200 },
    });
    scope.track({ close: () => void client.close() });
    const issued: DeviceCredential[] = [];
    const states: StateChange[] = [];
    client.on('device', (device) => issued.push(device));
    client.on('state', (state) => states.push(state));
    await client.connect();
    expect(client.device).toMatchObject({ label: 'Test rig', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(issued).toEqual([client.device]);
    // What the application shows carries no secret.
    expect(client.identity?.device).toEqual({ id: client.device!.id, label: 'Test rig' });

    // After a restart it is back with the token: a password login with remember would have made a second device.
    await scope.stop();
    await scope.start({ data_dir: dataDir, tcp: { listen: ['127.0.0.1:0', `tcp://127.0.0.1:${port}`] } });
    await waitFor(() => states.some((s) => s.state === 'connected' && s.resumed), 'the client to reconnect');
    const { devices } = await client.request('devices', {});
    expect(devices.map((d) => [d.id, d.current])).toEqual([[client.device!.id, true]]);
    expect(issued).toHaveLength(1);

    // Revoked from elsewhere: closed for good, without trying the dead token again.
    const other = await scope.frames({ cmd: 'login', name: 'alice', password: PASSWORD });
    await other.ok('revoke', { device: client.device!.id });
    await waitFor(() => client.state === 'closed', 'the client to give up');
    expect(states.at(-1)?.error).toMatchObject({ errorName: 'DEVICE_REVOKED', action: 'stop' });
    const audit = (await other.ok('audit', { limit: 50 })).entries as AuditInfo[];
    expect(audit.filter((e) => e.action === 'login.failed')).toEqual([]);
  });
});
