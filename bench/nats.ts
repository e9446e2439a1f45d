import { connect as netConnect, type Socket } from 'node:net';

/**
 * A NATS client connection for the side-by-side fanout: the same marker scanning as for Parley
 * (NATS delivers `MSG <subject> <sid> <len>\r\n<payload>\r\n`, the payload bytes unchanged).
 */
export class NatsConnection {
  bytesIn = 0;
  onData: ((chunk: Buffer) => void) | undefined;
  private setup: Buffer | undefined = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (this.setup) this.setup = Buffer.concat([this.setup, chunk]);
      else this.onData?.(chunk);
    });
    socket.on('error', () => undefined);
  }

  /** Connects, optionally subscribes, and waits for the PONG that confirms both. */
  static async open(port: number, subscribe: string | undefined): Promise<NatsConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    const connection = new NatsConnection(socket);
    socket.write(`CONNECT {"verbose":false,"pedantic":false,"name":"parley-bench"}\r\n${subscribe ? `SUB ${subscribe} 1\r\n` : ''}PING\r\n`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('NATS setup timed out')), 10_000);
      const check = () => {
        const text = connection.setup?.toString('latin1') ?? '';
        if (text.includes('-ERR')) reject(new Error(`NATS refused: ${text.slice(0, 200)}`));
        if (!text.includes('PONG\r\n')) return;
        clearTimeout(timer);
        socket.off('data', check);
        connection.setup = undefined;
        resolve();
      };
      socket.on('data', check);
    });
    return connection;
  }

  publish(subject: string, payload: string): void {
    this.socket.write(`PUB ${subject} ${Buffer.byteLength(payload)}\r\n${payload}\r\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}
