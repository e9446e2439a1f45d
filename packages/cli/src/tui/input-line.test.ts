import { renderToString } from 'ink';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { InputLine } from './input-line.tsx';

describe('InputLine', () => {
  it('shows the prompt and keeps the cursor in view on a long line', () => {
    expect(renderToString(createElement(InputLine, { prompt: '[#dev]', line: { text: 'hello', cursor: 5 }, width: 30 }), { columns: 30 }).trimEnd()).toBe('[#dev] hello');
    const long = 'x'.repeat(40) + 'END';
    const out = renderToString(createElement(InputLine, { prompt: '[#dev]', line: { text: long, cursor: long.length }, width: 30 }), { columns: 30 });
    expect(out.trimEnd()).toMatch(/^\[#dev\] x+END$/);
    expect(out.length).toBeLessThanOrEqual(30);
  });
});
