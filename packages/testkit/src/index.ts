export { startTestServer, type TestServer } from './server-fixture.ts';
export { PARLEY_BUILT_BIN, spawnServer, type SpawnedServer } from './spawn-server.ts';
export { TextClient, type TextClientOptions } from './text-client.ts';
export { FrameClient, type FrameClientOptions, type TestTransport } from './frame-client.ts';
export { describeStoreConformance } from './store-conformance.ts';
export { sleep, waitFor } from './wait.ts';
export { useServerScope, type ServerScope } from './server-scope.ts';
export { restartableServer, type RestartableServer } from './restartable-server.ts';
export { describeBusConformance, type BusFactory, type BusNetwork } from './bus-conformance.ts';
