import { describe, expect, it } from 'vitest';
import type { CommandArgs } from '@parley/protocol';
import { ParleyClientError } from './errors.ts';
import { Outbox } from './outbox.ts';
import type { ClientReceipt } from './pending-sends.ts';

const noWait = () => Promise.resolve();

describe('Outbox', () => {
  it('carries a reply, and sends it again with the same cmid and reply after a lost connection', async () => {
    const outbox = new Outbox(10);
    const sent: (CommandArgs<'send'> & { cmid: string })[] = [];
    let connected = false;
    const transmit = async (args: CommandArgs<'send'> & { cmid: string }): Promise<ClientReceipt[]> => {
      sent.push(args);
      if (!connected) throw ParleyClientError.local('DISCONNECTED', 'Not connected');
      return [{ to: '#dev', conv: '#dev', seq: 8, duplicate: sent.length > 2, cmid: args.cmid }];
    };
    const receipt = outbox.add({ to: '#dev', text: 'yes', reply: 7 }, false);
    await outbox.pump(transmit, noWait);
    expect(outbox.size).toBe(1);
    connected = true;
    outbox.reconnected();
    await outbox.pump(transmit, noWait);
    expect(await receipt).toEqual([{ to: '#dev', conv: '#dev', seq: 8, duplicate: false, cmid: sent[0]?.cmid }]);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[0]).toMatchObject({ to: '#dev', text: 'yes', reply: 7 });
    expect(sent[0]?.cmid).toMatch(/^[0-9a-f]{24}$/);
  });
});
