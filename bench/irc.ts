import { connect as netConnect, type Socket } from 'node:net';

/**
 * An IRC client connection for the side-by-side fanout against InspIRCd: register, JOIN, and
 * confirm with PING/PONG; deliveries are `:nick!user@host PRIVMSG #bench :<text>` lines whose
 * text carries the same markers as Parley's.
 */
export class IrcConnection {
  bytesIn = 0;
  onData: ((chunk: Buffer) => void) | undefined;
  private setup: string | undefined = '';

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (this.setup !== undefined) this.setup += chunk.toString('latin1');
      else this.onData?.(chunk);
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, nick: string, channel: string): Promise<IrcConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    const connection = new IrcConnection(socket);
    socket.write(`NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`);
    await connection.waitFor(` 001 ${nick} `);
    socket.write(`JOIN ${channel}\r\nPING :joined\r\n`);
    await connection.waitFor(':joined');
    connection.setup = undefined;
    return connection;
  }

  private waitFor(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`IRC setup: no "${text}" in ${this.setup?.slice(-300)}`)), 15_000);
      const check = () => {
        if (!this.setup?.includes(text)) return;
        clearTimeout(timer);
        this.socket.off('data', check);
        resolve();
      };
      this.socket.on('data', check);
      check();
    });
  }

  privmsg(target: string, text: string): void {
    this.socket.write(`PRIVMSG ${target} :${text}\r\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}
