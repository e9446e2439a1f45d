import { describe, expect, it } from 'vitest';
import type { ConvState } from './conversations.ts';
import { UPDATE_INTERVAL_MS, updateDue } from './group-ops.ts';

const state = (meta: { updatedAt?: number; joinedAt?: number }): ConvState => ({ meta: { conv: '#r', processed: 0, own: [], joinedSeq: 0, ...meta }, group: undefined, buffer: [] });

describe('updateDue', () => {
  it('a joiner updates before it first sends, a reader a week after joining, everyone a week after their last update', () => {
    const now = Date.now();
    const week = UPDATE_INTERVAL_MS;
    // Joined just now, never updated: due before a send, not in the background.
    expect(updateDue(state({ joinedAt: now }), true)).toBe(true);
    expect(updateDue(state({ joinedAt: now }), false)).toBe(false);
    expect(updateDue(state({ joinedAt: now - week - 1 }), false)).toBe(true);
    // A state saved before joinedAt was kept: only a send updates it.
    expect(updateDue(state({}), false)).toBe(false);
    expect(updateDue(state({ updatedAt: now - 1000 }), true)).toBe(false);
    expect(updateDue(state({ updatedAt: now - week - 1 }), true)).toBe(true);
    expect(updateDue(state({ updatedAt: now - week - 1 }), false)).toBe(true);
  });
});
