import { ParleyError, toParleyError } from '@parley/protocol';
import type { AppendResult, NewMessage, Store } from '../store/store.ts';

interface Waiting {
  message: NewMessage;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Groups every append made during one event-loop turn into one store transaction. Batches are
 * committed one after another, never concurrently, so sequence order, commit order and the
 * order in which callers resume (and route) are all the same.
 */
export class MessageWriter {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private writing = false;

  constructor(
    private readonly store: Store,
    private readonly observe: (batchSize: number, seconds: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  append(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => void this.writeBatch());
  }

  private async writeBatch(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.writing = true;
    const started = performance.now();
    try {
      const results = await this.store.appendMessages(batch.map((w) => w.message));
      this.observe(batch.length, (performance.now() - started) / 1000);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      this.onError(error);
      // A full or failing disk keeps its own code (STORE_FULL, ...); anything else is INTERNAL.
      const mapped = toParleyError(error);
      const failure = mapped.errorName === 'INTERNAL' ? new ParleyError('INTERNAL', 'The message could not be stored; it was not sent', { cause: error }) : mapped;
      for (const w of batch) w.reject(failure);
    } finally {
      this.writing = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }

  /** Resolves once everything appended so far is committed (used at shutdown). */
  async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.writing || this.scheduled) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
