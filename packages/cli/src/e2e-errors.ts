import type { ParleyClient } from '@parley/client';
import { isRoomTarget, type ChatMessage } from '@parley/protocol';

/**
 * `e2e_error` events, said without flooding: each undecryptable message once (by its seq), at
 * most `burst` lines per conversation in `windowMs`, then one summary whose count goes up; a
 * failure that is not one message's (a group change, the device's setup) once per kind.
 */
export type ErrorVerdict = { show: 'line' } | { show: 'summary'; count: number } | undefined;

export class E2eErrorLog {
  private readonly seen = new Set<string>();
  private readonly bursts = new Map<string, { start: number; shown: number; hidden: number }>();

  constructor(private readonly limits: { burst: number; windowMs: number } = { burst: 3, windowMs: 10_000 }) {}

  take(event: { conv?: string | undefined; seq?: number | undefined; code: string }, now: number): ErrorVerdict {
    const key = event.seq !== undefined ? `${event.conv}#${event.seq}` : `${event.conv ?? ''} ${event.code}`;
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    if (event.seq === undefined) return { show: 'line' };
    const conv = event.conv ?? '';
    let burst = this.bursts.get(conv);
    if (!burst || now - burst.start > this.limits.windowMs) {
      burst = { start: now, shown: 0, hidden: 0 };
      this.bursts.set(conv, burst);
    }
    if (burst.shown < this.limits.burst) {
      burst.shown++;
      return { show: 'line' };
    }
    burst.hidden++;
    return { show: 'summary', count: burst.hidden };
  }
}

/**
 * Who a conversation id is with: the other person of a DM ("dm:a1:a2"), learnt from its messages
 * or asked of the server, or the room itself (a room's id is its folded name, "#dev").
 */
export class ConvNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly client: ParleyClient) {}

  learn(message: Pick<ChatMessage, 'conv' | 'from' | 'to'>): void {
    if (!message.conv.startsWith('dm:')) return;
    const me = this.client.identity?.name.toLowerCase();
    this.names.set(message.conv, message.from.toLowerCase() === me ? message.to : message.from);
  }

  async name(conv: string): Promise<string | undefined> {
    if (isRoomTarget(conv)) return conv;
    const known = this.names.get(conv);
    if (known !== undefined || !conv.startsWith('dm:')) return known;
    try {
      const { conversations } = await this.client.request('conversations', {});
      for (const c of conversations) this.names.set(c.conv, c.with);
    } catch {
      // Not now: said without the name.
    }
    return this.names.get(conv);
  }
}
