import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Signal, waitFor } from './wait.ts';

export interface TextClientOptions {
  port: number;
  host?: string;
  tls?: boolean;
  /** A loopback source address (127.0.0.2, ...), to be another machine for address bans and limits. */
  localAddress?: string;
}

/**
 * A person at `openssl s_client` or `nc`: writes lines, reads lines. `expect` waits for the
 * next line matching a pattern and fails with everything seen so far if none arrives in time.
 */
export class TextClient {
  readonly lines: string[] = [];
  private partial = '';
  private cursor = 0;
  private readonly arrived = new Signal();
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) this.lines.push(line.replace(/\r$/, ''));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(options: TextClientOptions): Promise<TextClient> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tlsConnect({ host, port: options.port, rejectUnauthorized: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => resolve(new TextClient(socket)))
        : netConnect({ host, port: options.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => resolve(new TextClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    this.arrived.notify();
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  /** Sends a line and returns the next line that starts with OK or ERR. */
  async command(line: string, timeoutMs = 5000): Promise<string> {
    this.send(line);
    return this.expect(/^(OK|ERR)\b/, timeoutMs);
  }

  /** The next unread line matching `pattern`; earlier non-matching lines are skipped. */
  async expect(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
    const matches = (line: string) => (typeof pattern === 'string' ? line.startsWith(pattern) : pattern.test(line));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.lines.length) {
        const line = this.lines[this.cursor++]!;
        if (matches(line)) return line;
      }
      if (this.closed) throw new Error(`connection closed waiting for ${pattern}; saw:\n${this.lines.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; saw:\n${this.lines.join('\n')}`);
      await this.arrived.wait(left);
    }
  }

  /** Resolves when the server closes the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, 'the server to close the connection', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
