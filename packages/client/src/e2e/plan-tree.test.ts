import { MAX_INLINE_COMMIT_TEXT, MAX_MLS_TEXT, TREE_PART_TEXT } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { planTree } from './group-ops.ts';

describe('planTree', () => {
  it('keeps a tree inline while the commit frame has room, and cuts a longer one into parts that join back', () => {
    expect(planTree('abc', 100)).toEqual({ tree: 'abc' });
    expect(planTree('x'.repeat(MAX_INLINE_COMMIT_TEXT - 100), 100)).toEqual({ tree: 'x'.repeat(MAX_INLINE_COMMIT_TEXT - 100) });
    // A 100-device tree: 38 KB of MLS, 51 KiB of base64url text.
    const tree = Array.from({ length: 51 * 1024 }, (_, i) => 'ABCDEFGH'[i % 8]).join('');
    const plan = planTree(tree, 2000);
    expect('parts' in plan && plan.parts.length).toBe(2);
    if (!('parts' in plan)) return;
    expect(plan.parts.join('')).toBe(tree);
    for (const part of plan.parts) expect(part.length).toBeLessThanOrEqual(Math.min(TREE_PART_TEXT, MAX_MLS_TEXT));
    // Not even a short tree goes inline beside a commit that fills the frame already.
    expect('parts' in planTree('abc', MAX_INLINE_COMMIT_TEXT)).toBe(true);
  });
});
