import { expect } from 'vitest';
import { StoreError, type NewMessage, type Store, type StoredMessage } from '@parley/server';

/** Asserts that `promise` rejects with a StoreError of `code`. */
export async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

const START = 1_700_000_000_000;

/**
 * Messages and accounts for the conformance suites, on the current test's store. `createdAt`
 * comes from a clock that ticks once per message, so retention tests can cut between messages.
 */
export function storeFixture(current: () => Store) {
  const fixture = {
    clock: START,
    resetClock(): void {
      fixture.clock = START;
    },
    msg(conv: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
      return { conv, senderId: 'u1', senderName: 'alice', target: conv.startsWith('#') ? conv : 'bob', text, createdAt: fixture.clock++, ...extra };
    },
    async appendTexts(conv: string, count: number): Promise<void> {
      await current().appendMessages(Array.from({ length: count }, (_, i) => fixture.msg(conv, `m${i + 1}`)));
    },
    seqs: (messages: readonly StoredMessage[]): number[] => messages.map((m) => m.seq),
    async account(nameKey: string): Promise<number> {
      return (await current().createAccount({ name: nameKey, nameKey, passwordHash: 'h' })).id;
    },
  };
  return fixture;
}
