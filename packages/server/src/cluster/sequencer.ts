import type { StoredMessage } from '../store/message-log.ts';

// Interim in-order sequencer for the server wiring; the full one (gap buffering, tail check)
// replaces this file from the nats branch.

export interface SequencerSource {
  history(conv: string, q: { after: number; limit: number }): Promise<StoredMessage[]>;
  lastSeqs(convs: readonly string[]): Promise<Map<string, number>>;
}

export interface SequencerOptions {
  source: SequencerSource;
  deliver: (message: StoredMessage, origin: string | undefined) => void;
  gapWaitMs: number;
  tailCheckMs: number;
  pageSize?: number;
  onRepair?: (kind: 'gap' | 'tail', conv: string, messages: number) => void;
  onError?: (error: unknown) => void;
}

export class ConversationSequencer {
  readonly #last = new Map<string, number>();
  constructor(private readonly options: SequencerOptions) {}

  track(conv: string, after: number): void {
    this.#last.set(conv, after);
  }

  untrack(conv: string): void {
    this.#last.delete(conv);
  }

  isTracked(conv: string): boolean {
    return this.#last.has(conv);
  }

  position(conv: string): number | undefined {
    return this.#last.get(conv);
  }

  offer(message: StoredMessage, origin?: string): void {
    const last = this.#last.get(message.conv);
    if (last === undefined || message.seq <= last) return;
    this.#last.set(message.conv, message.seq);
    this.options.deliver(message, origin);
  }

  async tailCheck(): Promise<void> {}

  close(): void {}
}
