import { WebSocket } from 'ws';

/**
 * Talks to a server started with `--inspect=127.0.0.1:0` (the Chrome DevTools protocol) to
 * collect garbage and read process.memoryUsage() before a memory reading, so the idle scenario
 * measures what connections keep, not garbage the setup left behind. Nothing in the server
 * exists for this: it is the same inspector a profiler attaches to.
 */
export class Inspector {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.waiting.get(message.id)?.(message.result);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  private call(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Full GC, then the server's memory usage in bytes. */
  async settledMemory(): Promise<{ rss: number; heapUsed: number; external: number }> {
    await this.call('HeapProfiler.collectGarbage');
    const result = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as {
      result: { value: string };
    };
    return JSON.parse(result.result.value) as { rss: number; heapUsed: number; external: number };
  }

  /** Starts V8's sampling profiler in the server (every 100 µs). */
  async startProfile(): Promise<void> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: 100 });
    await this.call('Profiler.start');
  }

  /** Stops it and returns the profile (the .cpuprofile JSON Chrome DevTools opens). */
  async stopProfile(): Promise<unknown> {
    return ((await this.call('Profiler.stop')) as { profile: unknown }).profile;
  }

  close(): void {
    this.ws.close();
  }
}

/** The DevTools WebSocket URL node prints on stderr for --inspect. */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}
