/**
 * Column widths and pane height for a terminal size. Rows: a header, the panes, the status bar
 * and the input line. The member list is dropped below 70 columns, the room list below 40.
 */
export interface Layout {
  cols: number;
  rows: number;
  /** Width of the room list including its border column (0 = hidden). */
  sidebar: number;
  /** Width of the member list including its border column (0 = hidden). */
  members: number;
  pane: number;
  paneHeight: number;
  tooSmall: boolean;
}

const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(max, value));

export function layout(cols: number, rows: number): Layout {
  const sidebar = cols >= 40 ? clamp(Math.floor(cols * 0.2), 14, 24) : 0;
  const members = cols >= 70 ? clamp(Math.floor(cols * 0.18), 14, 22) : 0;
  return { cols, rows, sidebar, members, pane: cols - sidebar - members, paneHeight: Math.max(0, rows - 3), tooSmall: cols < 30 || rows < 8 };
}
