import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP proxy the test controls, in front of a server: `cut` drops every connection through it and refuses new ones until `heal`. */
export class CuttableProxy {
  readonly #sockets = new Set<Socket>();
  #cut = false;
  private constructor(readonly server: Server) {}

  static async to(port: number): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => {
      if (proxy.#cut) return void client.destroy();
      const upstream = connect({ host: '127.0.0.1', port });
      for (const s of [client, upstream]) {
        proxy.#sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => {
          proxy.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  heal(): void {
    this.#cut = false;
  }

  close(): void {
    this.cut();
    this.server.close();
  }
}
