import type { Logger } from 'pino';
import type { FederationStore } from '../store/store.ts';
import type { Envelope } from './envelope.ts';
import type { Link } from './link.ts';
import type { LinkFrame } from './link-frames.ts';

/** Events sent per frame, and the bytes a link may hold unsent before a stream waits for it to drain. */
const EVENTS_PER_FRAME = 256;
const MAX_LINK_BACKLOG = 4 * 1024 * 1024;

/**
 * The rooms neighbors follow here, whether homed here or mirrored (a relay serves what it
 * stores): each (link, conversation) is sent the stored events above the position the neighbor
 * asked from, read back from the store, so a neighbor's queue is the room's log itself, not a
 * copy, and one that was away catches up from wherever it stopped.
 */
export class EventStreams {
  /** Per link: conv -> the last seq sent on it. */
  readonly #sent = new Map<Link, Map<string, number>>();
  readonly #pumping = new WeakMap<Link, Set<string>>();
  readonly #again = new WeakMap<Link, Set<string>>();

  constructor(private readonly parts: { store: FederationStore; log: Logger }) {}

  follow(link: Link, conv: string, after: number): void {
    let sent = this.#sent.get(link);
    if (!sent) {
      this.#sent.set(link, (sent = new Map()));
      link.onClose(() => this.#sent.delete(link));
    }
    sent.set(conv, after);
    void this.#pump(link, conv);
  }

  unfollow(link: Link, conv: string): void {
    this.#sent.get(link)?.delete(conv);
  }

  /** Whether any neighbor follows the conversation here. */
  followed(conv: string): boolean {
    for (const sent of this.#sent.values()) if (sent.has(conv)) return true;
    return false;
  }

  /** A frame for every neighbor that follows the conversation here (room events without a seq). */
  broadcast(conv: string, frame: LinkFrame, except?: Link): void {
    for (const [link, sent] of this.#sent) if (sent.has(conv) && link !== except) link.send(frame);
  }

  /** New events were stored: every link that follows the conversation gets them. */
  pumpAll(conv: string): void {
    for (const [link, sent] of this.#sent) if (sent.has(conv)) void this.#pump(link, conv);
  }

  async #pump(link: Link, conv: string): Promise<void> {
    let pumping = this.#pumping.get(link);
    if (!pumping) this.#pumping.set(link, (pumping = new Set()));
    let again = this.#again.get(link);
    if (!again) this.#again.set(link, (again = new Set()));
    if (pumping.has(conv)) {
      again.add(conv); // the running pump reads once more when it ends
      return;
    }
    pumping.add(conv);
    try {
      for (;;) {
        const sent = this.#sent.get(link);
        const after = sent?.get(conv);
        if (!sent || after === undefined || link.closed) return;
        const events = await this.parts.store.eventsAfter(conv, after, EVENTS_PER_FRAME);
        if (events.length === 0) {
          if (!again.delete(conv)) return;
          continue;
        }
        link.send({ t: 'events', list: events.map((e) => JSON.parse(e.envelope) as Envelope) });
        if (sent.get(conv) === after) sent.set(conv, events.at(-1)!.seq);
        if (link.backlog > MAX_LINK_BACKLOG) await link.whenDrained();
      }
    } catch (err) {
      this.parts.log.warn({ err, conv }, 'federation: sending events to a follower failed; it gets them when it follows again');
    } finally {
      pumping.delete(conv);
    }
  }
}
