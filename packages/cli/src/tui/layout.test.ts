import { describe, expect, it } from 'vitest';
import { layout } from './layout.ts';

describe('layout', () => {
  it('fits three columns in 80x24 and uses every column', () => {
    const l = layout(80, 24);
    expect(l).toMatchObject({ sidebar: 16, members: 14, pane: 50, paneHeight: 21, tooSmall: false });
    for (const [cols, rows] of [[100, 30], [200, 60], [45, 10]] as const) {
      const x = layout(cols, rows);
      expect(x.sidebar + x.members + x.pane).toBe(cols);
    }
  });

  it('drops the member list, then the room list, on narrow terminals', () => {
    expect(layout(60, 20)).toMatchObject({ members: 0, sidebar: 14 });
    expect(layout(35, 20)).toMatchObject({ members: 0, sidebar: 0, pane: 35 });
    expect(layout(20, 5).tooSmall).toBe(true);
  });
});
