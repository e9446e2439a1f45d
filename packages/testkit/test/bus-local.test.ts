import { LocalBusNetwork } from '@parley/server';
import { describeBusConformance } from '../src/bus-conformance.ts';

describeBusConformance('local', async ({ onHandlerError }) => {
  const network = new LocalBusNetwork();
  return { nodes: ['n1', 'n2', 'n3'].map((id) => network.bus(id, { onHandlerError })) };
});
