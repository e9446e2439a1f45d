import { afterEach } from 'vitest';
import { FrameClient } from './frame-client.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';
import { TextClient } from './text-client.ts';

type Settings = NonNullable<Parameters<typeof startTestServer>[0]>;
type Login = { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown };

/** What a test file gets from `useServerScope`: one server per test, and clients closed with it. */
export interface ServerScope {
  /** Starts this test's server (stopping one it started before); it is stopped, data and all, after the test. */
  start(settings?: Settings): Promise<TestServer>;
  /** Stops this test's server but keeps its data dir, to start again on it (`start({ data_dir })`). */
  stop(): Promise<void>;
  /** The server this test started. */
  readonly server: TestServer;
  /** Closes something (a client, a socket) when the test ends. */
  track<T extends { close(): void }>(closeable: T): T;
  /** A structured JSON client over plaintext TCP, past hello and logged in (`login` false: not logged in). */
  frames(login?: Login | false, options?: { localAddress?: string }): Promise<FrameClient>;
  /** A person at a text-mode client (over TLS when `tls`), not logged in yet. */
  text(options?: { tls?: boolean; localAddress?: string }): Promise<TextClient>;
}

/**
 * Call at the top of a test file: the server setup and teardown every integration test needs,
 * written once (an afterEach stops the server and closes what the test opened).
 */
export function useServerScope(): ServerScope {
  let current: TestServer | undefined;
  const open: { close(): void }[] = [];
  afterEach(async () => {
    for (const closeable of open.splice(0)) closeable.close();
    await current?.stop({ removeData: true });
    current = undefined;
  });
  const scope: ServerScope = {
    async start(settings = {}) {
      await current?.stop({ removeData: true });
      current = await startTestServer(settings);
      return current;
    },
    async stop() {
      await current?.stop();
      current = undefined;
    },
    get server() {
      if (!current) throw new Error('no test server: call start() first');
      return current;
    },
    track(closeable) {
      open.push(closeable);
      return closeable;
    },
    async frames(login = { cmd: 'guest' }, options = {}) {
      return scope.track(await FrameClient.open({ transport: 'tcp', codec: 'json', port: scope.server.tcpPort, ...options }, login));
    },
    async text({ tls = false, localAddress } = {}) {
      const { tlsPort, tcpPort } = scope.server;
      return scope.track(await TextClient.connect({ port: tls ? tlsPort : tcpPort, tls, ...(localAddress ? { localAddress } : {}) }));
    },
  };
  return scope;
}
