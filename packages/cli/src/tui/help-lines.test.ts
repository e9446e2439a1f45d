import { describe, expect, it } from 'vitest';
import { helpLines, OPERATOR_HEADING } from './help-lines.ts';

describe('helpLines', () => {
  it('lists the shared commands with the operator ones apart, and fits a small terminal', () => {
    const small = helpLines(76, 18);
    expect(small.length).toBeLessThanOrEqual(18);
    expect(small).toContain(OPERATOR_HEADING);
    expect(small.join(' ')).toMatch(/\/kick\b/);
    expect(small.join(' ')).toMatch(/\/msg\b/);
    expect(helpLines(120, 40).join(' ')).toContain('/kick [#room] <name> [reason]');
    expect(helpLines(120, 80).some((line) => line.startsWith('/ban [#room]'))).toBe(true);
  });
});
