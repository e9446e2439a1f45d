import type { ChatMessage } from '@parley/protocol';
import type { Channel } from './channel.ts';

/**
 * Messages that arrive while the client logs in again and resumes: live ones can overtake
 * replayed ones (a message sent right after login comes before the older ones the resume
 * fetches), so they wait here and are released per conversation in seq order once the resume is
 * complete. Cursors are what the application has seen; this never moves them past a gap.
 */
export class CatchUp {
  private buffered: ChatMessage[] = [];

  add(message: ChatMessage): void {
    this.buffered.push(message);
  }

  /**
   * The cursor to resume `conv` from next: the application's cursor, moved over buffered
   * messages only as far as they run without a gap (a live message far ahead must not make the
   * next resume skip the messages between).
   */
  contiguousCursor(conv: string, cursor: number): number {
    const seqs = new Set(this.buffered.filter((m) => m.conv === conv).map((m) => m.seq));
    let next = cursor;
    while (seqs.has(next + 1)) next += 1;
    return next;
  }

  /**
   * Everything buffered, each conversation in ascending seq order (repeats dropped), the
   * conversations interleaved as they arrived.
   */
  release(): ChatMessage[] {
    const byConv = new Map<string, ChatMessage[]>();
    for (const message of this.buffered) {
      const list = byConv.get(message.conv) ?? [];
      list.push(message);
      byConv.set(message.conv, list);
    }
    for (const list of byConv.values()) list.sort((a, b) => a.seq - b.seq);
    const order = this.buffered.map((message) => byConv.get(message.conv)!.shift()!);
    this.buffered = [];
    return order;
  }
}

/** Asks for everything after the cursors, again for conversations the server had more of. */
export async function resume(channel: Channel, input: { cursors: ReadonlyMap<string, number>; catchUp: CatchUp; timeoutMs: number }): Promise<void> {
  const { cursors: known, catchUp, timeoutMs } = input;
  let cursors = Object.fromEntries(known);
  while (Object.keys(cursors).length > 0) {
    const { more } = await channel.request('resume', { cursors }, timeoutMs);
    cursors = Object.fromEntries(more.map((conv) => [conv, catchUp.contiguousCursor(conv, known.get(conv) ?? 0)]));
  }
}
