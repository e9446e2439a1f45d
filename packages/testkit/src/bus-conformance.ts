import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMeta, BusPayload, BusStats, EventPayload, MessagePayload, StoredMessage } from '@parley/server';
import { Signal } from './wait.ts';

export interface BusNetwork {
  /** Three buses that reach each other, each with its own node id. */
  nodes: Bus[];
  /**
   * Resolves once every subscription made so far is in effect across the network (NATS: a
   * round trip to the server). Subscribing is asynchronous on a real network.
   */
  settle?: () => Promise<void>;
  cleanup?: () => Promise<void>;
}

export type BusFactory = (options: { onHandlerError: (error: unknown, topic: string) => void }) => Promise<BusNetwork>;

/** How long any one expected delivery may take on a loaded two-core machine. */
const BUDGET_MS = 10_000;
const FENCE = 'cluster.conformance-fence';

interface Received {
  topic: string;
  payload: BusPayload;
  meta: BusMeta;
}

/** What one node's handlers got, with waits that end as soon as the awaited thing is there. */
class Inbox {
  readonly items: Received[] = [];
  readonly #signal = new Signal();

  handler(topic: string): (payload: BusPayload, meta: BusMeta) => void {
    return (payload, meta) => {
      this.items.push({ topic, payload, meta });
      this.#signal.notify();
    };
  }

  on(topic: string): Received[] {
    return this.items.filter((item) => item.topic === topic);
  }

  async until(check: () => boolean, what: () => string, budgetMs = BUDGET_MS): Promise<void> {
    const deadline = Date.now() + budgetMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${budgetMs} ms waiting for ${what()}`);
      await this.#signal.wait(left);
    }
  }
}

export function event(kind: string, data: unknown = null): EventPayload {
  return { t: 'event', kind, data };
}

/**
 * The guarantees of bus.ts, for every Bus implementation. The factory is called once per test
 * and returns three fresh buses on one network; the suite closes them before `cleanup`.
 * Absence ("node C got nothing") is shown without sleeping: after the payload under test the
 * same publisher sends a fence, and since one publisher's payloads arrive in order, a node that
 * has the fence would have had the payload before it.
 */
export function describeBusConformance(name: string, factory: BusFactory): void {
  describe(`Bus conformance: ${name}`, () => {
    let network: BusNetwork;
    let a: Bus;
    let b: Bus;
    let c: Bus;
    let inboxes: Map<Bus, Inbox>;
    let handlerErrors: { error: unknown; topic: string }[];
    let fences = 0;

    const inbox = (bus: Bus): Inbox => inboxes.get(bus) as Inbox;
    const settle = async (): Promise<void> => network.settle?.();

    /** Subscribes each bus's inbox to `topic`. */
    function listen(topic: string, buses: readonly Bus[]): void {
      for (const bus of buses) bus.subscribe(topic, inbox(bus).handler(topic));
    }

    /** Publishes a fence from `from` and waits until every other node has it. */
    async function fence(from: Bus): Promise<void> {
      const n = ++fences;
      from.publish(FENCE, event('fence', n));
      for (const bus of [a, b, c]) {
        if (bus === from) continue;
        await inbox(bus).until(
          () => inbox(bus).on(FENCE).some((r) => (r.payload as EventPayload).data === n),
          () => `fence ${n} from ${from.nodeId} at ${bus.nodeId}`,
        );
      }
    }

    beforeEach(async () => {
      handlerErrors = [];
      network = await factory({ onHandlerError: (error, topic) => handlerErrors.push({ error, topic }) });
      expect(network.nodes).toHaveLength(3);
      [a, b, c] = network.nodes as [Bus, Bus, Bus];
      expect(new Set([a.nodeId, b.nodeId, c.nodeId]).size).toBe(3);
      inboxes = new Map(network.nodes.map((bus) => [bus, new Inbox()]));
      listen(FENCE, network.nodes);
      await settle();
    });

    afterEach(async () => {
      for (const bus of network.nodes) await bus.close();
      await network.cleanup?.();
    });

    it('delivers to its own subscribers synchronously, once, as the same object', async () => {
      listen('conv.#general', [a]);
      const payload = event('hello', { n: 1 });
      a.publish('conv.#general', payload);
      const mine = inbox(a).on('conv.#general');
      expect(mine).toHaveLength(1);
      expect(mine[0]?.payload).toBe(payload);
      expect(mine[0]?.meta).toEqual({ from: a.nodeId, local: true });
      await fence(a);
      expect(inbox(a).on('conv.#general')).toHaveLength(1);
    });

    it("delivers to every other node's subscribers exactly once, marked as from the publisher", async () => {
      listen('conv.#general', [b, c]);
      await settle();
      a.publish('conv.#general', event('hello', { n: 1 }));
      // Never inside the publisher's call.
      expect(inbox(b).on('conv.#general')).toHaveLength(0);
      await fence(a);
      for (const bus of [b, c]) {
        const got = inbox(bus).on('conv.#general');
        expect(got.map((r) => r.payload)).toEqual([event('hello', { n: 1 })]);
        expect(got[0]?.meta).toEqual({ from: a.nodeId, local: false });
      }
      expect(a.stats().published).toBeGreaterThanOrEqual(1);
      expect(b.stats().received).toBeGreaterThanOrEqual(1);
    });

    it("keeps each publisher's order over a burst of 2,000 from two publishers", async () => {
      const topic = 'conv.#burst';
      listen(topic, [a, b, c]);
      await settle();
      const count = 2_000;
      for (let i = 1; i <= count; i++) {
        a.publish(topic, event('n', i));
        b.publish(topic, event('n', i));
      }
      const from = (bus: Bus, publisher: Bus): unknown[] =>
        inbox(bus)
          .on(topic)
          .filter((r) => r.meta.from === publisher.nodeId)
          .map((r) => (r.payload as EventPayload).data);
      const expected = Array.from({ length: count }, (_, i) => i + 1);
      await inbox(c).until(
        () => inbox(c).on(topic).length >= 2 * count,
        () => `${2 * count} payloads at ${c.nodeId}, got ${inbox(c).on(topic).length}`,
        30_000,
      );
      expect(from(c, a)).toEqual(expected);
      expect(from(c, b)).toEqual(expected);
      await inbox(a).until(() => from(a, b).length >= count, () => `${count} from b at a, got ${from(a, b).length}`, 30_000);
      expect(from(a, b)).toEqual(expected);
      expect(from(a, a)).toEqual(expected);
      await inbox(b).until(() => from(b, a).length >= count, () => `${count} from a at b, got ${from(b, a).length}`, 30_000);
      expect(from(b, a)).toEqual(expected);
    });

    it('gives nothing to a node that unsubscribed or never subscribed', async () => {
      const sub = b.subscribe('conv.#quiet', inbox(b).handler('conv.#quiet'));
      await settle();
      sub.unsubscribe();
      sub.unsubscribe(); // twice is harmless
      await settle();
      a.publish('conv.#quiet', event('x'));
      await fence(a);
      expect(inbox(b).on('conv.#quiet')).toEqual([]);
      expect(inbox(c).on('conv.#quiet')).toEqual([]);
    });

    it('calls several handlers of a topic, each once, in subscription order, locally and remotely', async () => {
      const calls: string[] = [];
      for (const bus of [a, b]) for (const n of [1, 2, 3]) bus.subscribe('room.#x', (p) => calls.push(`${bus.nodeId}:${n}:${(p as EventPayload).kind}`));
      await settle();
      a.publish('room.#x', event('one'));
      expect(calls).toEqual([1, 2, 3].map((n) => `${a.nodeId}:${n}:one`));
      await fence(a);
      expect(calls.slice(3)).toEqual([1, 2, 3].map((n) => `${b.nodeId}:${n}:one`));
    });

    it('treats each subscription on its own: one handler twice gets it twice, one unsubscribe leaves the other', async () => {
      const handler = inbox(b).handler('room.#twice');
      const first = b.subscribe('room.#twice', handler);
      b.subscribe('room.#twice', handler);
      await settle();
      a.publish('room.#twice', event('one'));
      await fence(a);
      expect(inbox(b).on('room.#twice')).toHaveLength(2);
      first.unsubscribe();
      await settle();
      a.publish('room.#twice', event('two'));
      await fence(a);
      expect(inbox(b).on('room.#twice').map((r) => (r.payload as EventPayload).kind)).toEqual(['one', 'one', 'two']);
    });

    it('applies subscribe and unsubscribe made during a delivery from the next payload on, unsubscribe at once', async () => {
      const calls: string[] = [];
      let late: { unsubscribe(): void } | undefined;
      let second: { unsubscribe(): void } | undefined = undefined;
      b.subscribe('room.#churn', (p) => {
        const kind = (p as EventPayload).kind;
        calls.push(`first:${kind}`);
        if (kind === 'one') {
          late ??= b.subscribe('room.#churn', (q) => calls.push(`late:${(q as EventPayload).kind}`));
          second?.unsubscribe();
        }
      });
      second = b.subscribe('room.#churn', (q) => calls.push(`second:${(q as EventPayload).kind}`));
      await settle();
      a.publish('room.#churn', event('one'));
      a.publish('room.#churn', event('two'));
      await fence(a);
      expect(calls).toEqual(['first:one', 'first:two', 'late:two']);
    });

    it('keeps delivering to the other handlers when one throws, and reports it', async () => {
      const boom = new Error('handler failed');
      for (const bus of [a, b]) {
        bus.subscribe('user.u1', () => {
          throw boom;
        });
        listen('user.u1', [bus]);
      }
      await settle();
      expect(() => a.publish('user.u1', event('kick'))).not.toThrow();
      expect(inbox(a).on('user.u1')).toHaveLength(1);
      await fence(a);
      expect(inbox(b).on('user.u1')).toHaveLength(1);
      expect(handlerErrors).toEqual([
        { error: boom, topic: 'user.u1' },
        { error: boom, topic: 'user.u1' },
      ]);
      // The bus still works after it.
      a.publish('user.u1', event('again'));
      await fence(a);
      expect(inbox(b).on('user.u1')).toHaveLength(2);
    });

    it('keeps topics with #, dots, spaces, wildcards and unicode distinct', async () => {
      const topics = [
        'conv.#general',
        'conv.#general.x',
        'conv.#gen eral',
        'conv.#gen\teral',
        'conv.*',
        'conv.>',
        'conv.a.*.>',
        'conv.#général',
        'conv.#😀',
        'conv.',
        'conv',
        'conv..',
        'room.#general',
        'user.a*b>c',
        'dm:u1:u2',
        '#raw topic',
        '_.x',
        '',
        'a.b.c.d',
      ];
      listen('conv.#general-not', [b]);
      for (const topic of topics) listen(topic, [b]);
      await settle();
      for (const topic of topics) a.publish(topic, event('t', topic));
      await fence(a);
      for (const topic of topics) {
        expect(inbox(b).on(topic).map((r) => (r.payload as EventPayload).data), topic).toEqual([topic]);
      }
      expect(inbox(b).on('conv.#general-not')).toEqual([]);
    });

    it('carries a StoredMessage field for field, with absent optional fields absent', async () => {
      const full: StoredMessage = {
        conv: 'dm:u1:u2',
        seq: 42,
        senderId: 'u1',
        senderName: 'Ålice',
        target: 'bob',
        text: 'hé 😀\n\u0000 "quoted" '.repeat(50),
        cmid: 'c-1',
        kind: 'action',
        createdAt: 1_700_000_000_123,
      };
      const bare: StoredMessage = { conv: '#general', seq: 1, senderId: 'u2', senderName: 'bob', target: '#general', text: '', createdAt: 0 };
      const sent: MessagePayload[] = [
        { t: 'message', epoch: 'e1', message: full, origin: `${a.nodeId}/s1` },
        { t: 'message', epoch: 'e1', message: bare },
        { t: 'message', epoch: 'e1', message: { ...bare, seq: 2, cmid: undefined, kind: undefined }, origin: undefined },
      ];
      listen('conv.messages', [b]);
      await settle();
      for (const payload of sent) a.publish('conv.messages', payload);
      await fence(a);
      const got = inbox(b).on('conv.messages').map((r) => r.payload as MessagePayload);
      expect(got).toStrictEqual([sent[0], sent[1], { t: 'message', epoch: 'e1', message: { ...bare, seq: 2 } }]);
      for (const payload of got.slice(1)) {
        expect(payload).not.toHaveProperty('origin');
        expect(payload.message).not.toHaveProperty('cmid');
        expect(payload.message).not.toHaveProperty('kind');
      }
    });

    it('gives each node its own copy of a payload', async () => {
      b.subscribe('conv.#copy', (p) => {
        ((p as EventPayload).data as { n: number }).n = -1;
      });
      listen('conv.#copy', [b, c]);
      await settle();
      const payload = event('x', { n: 1 });
      a.publish('conv.#copy', payload);
      (payload.data as { n: number }).n = 2; // the publisher's later change travels nowhere
      await fence(a);
      expect(inbox(c).on('conv.#copy').map((r) => r.payload)).toEqual([event('x', { n: 1 })]);
      expect(inbox(b).on('conv.#copy').map((r) => r.payload)).toEqual([event('x', { n: -1 })]);
    });

    it('sends what a handler publishes in turn after what it was handling', async () => {
      a.subscribe('conv.#first', () => a.publish('conv.#second', event('second')));
      listen('conv.#first', [b]);
      listen('conv.#second', [b]);
      await settle();
      a.publish('conv.#first', event('first'));
      await fence(a);
      expect(inbox(b).items.filter((r) => r.topic !== FENCE).map((r) => (r.payload as EventPayload).kind)).toEqual(['first', 'second']);
    });

    it('never throws from publish, whatever the payload', async () => {
      listen('conv.#odd', [a]);
      const before = a.stats();
      const odd = event('odd', { f: () => 1, big: 2n ** 80n, sym: Symbol('s') });
      expect(() => a.publish('conv.#odd', odd)).not.toThrow();
      expect(inbox(a).on('conv.#odd')).toHaveLength(1);
      const after = a.stats();
      expect(after.published + after.dropped).toBe(before.published + before.dropped + 1);
      await fence(a); // and the bus still works
    });

    it('counts what it publishes and receives', async () => {
      listen('conv.#count', [b]);
      await settle();
      const [before, beforeB] = [a.stats(), b.stats()];
      for (let i = 0; i < 3; i++) a.publish('conv.#count', event('n', i));
      await fence(a);
      expect(a.stats().published - before.published).toBe(4); // three and the fence
      expect(b.stats().received - beforeB.received).toBe(4);
      expect(a.stats().dropped).toBe(before.dropped);
      expect(a.stats().connected).toBe(true);
    });

    it('stops delivering at close and counts later publishes as dropped', async () => {
      listen('conv.#closing', [b, c]);
      await settle();
      await b.close();
      a.publish('conv.#closing', event('after b closed'));
      // The fence reaches only c now.
      const n = ++fences;
      a.publish(FENCE, event('fence', n));
      await inbox(c).until(
        () => inbox(c).on(FENCE).some((r) => (r.payload as EventPayload).data === n),
        () => `fence ${n} at ${c.nodeId}`,
      );
      expect(inbox(c).on('conv.#closing')).toHaveLength(1);
      expect(inbox(b).on('conv.#closing')).toEqual([]);

      const before: BusStats = b.stats();
      expect(before.connected).toBe(false);
      b.publish('conv.#closing', event('from closed b'));
      expect(b.stats().dropped).toBe(before.dropped + 1);
      expect(b.stats().published).toBe(before.published);
      expect(inbox(b).on('conv.#closing')).toEqual([]);
      await b.close(); // twice is harmless
    });
  });
}
