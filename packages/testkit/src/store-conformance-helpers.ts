import { expect } from 'vitest';
import { StoreError } from '@parley/server';

/** Asserts that `promise` rejects with a StoreError of `code`. */
export async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}
