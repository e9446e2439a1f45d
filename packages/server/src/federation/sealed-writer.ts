import type { AppendResult, NewMessage } from '../store/store.ts';
import type { Submission } from './envelope.ts';

interface Waiting {
  message: NewMessage;
  submission: Submission | undefined;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The message writer's batching (chat/message-writer.ts) for rooms homed here that other servers
 * follow: every message to one such room during an event-loop turn is appended and sealed in one
 * store transaction, one room's batches one after another, so seq order, commit order and the
 * order callers resume in are the same. Without it each message was its own transaction.
 */
export class SealedWriter {
  readonly #waiting = new Map<string, Waiting[]>();
  readonly #writing = new Set<string>();
  #scheduled = false;

  constructor(private readonly write: (conv: string, batch: readonly NewMessage[], submissions: readonly (Submission | undefined)[]) => Promise<AppendResult[]>) {}

  append(message: NewMessage, submission?: Submission): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      const queue = this.#waiting.get(message.conv) ?? [];
      queue.push({ message, submission, resolve, reject });
      this.#waiting.set(message.conv, queue);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      for (const conv of [...this.#waiting.keys()]) if (!this.#writing.has(conv)) void this.#flush(conv);
    });
  }

  async #flush(conv: string): Promise<void> {
    const batch = this.#waiting.get(conv);
    this.#waiting.delete(conv);
    if (!batch || batch.length === 0) return;
    this.#writing.add(conv);
    try {
      const results = await this.write(conv, batch.map((w) => w.message), batch.map((w) => w.submission));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.#writing.delete(conv);
      if (this.#waiting.has(conv)) this.#schedule();
    }
  }
}
