import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, person, server, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * Message formatting in `parley chat <url>` (docs/tui.md, "Formatting"), in tmux against a real
 * server: the markers are gone and the terminal draws the attributes, read back from tmux's own
 * grid (`capture-pane -e`, which writes each cell's attributes as SGR sequences).
 */
afterEach(cleanUp);

const ESC = '\u001b';
/** SGR codes that end another (ECMA-48 8.3.117): 22 ends bold and faint, 23 italic, 24 underline, 29 strike, 39 and 49 the colors. */
const ENDS: Record<string, (code: number) => boolean> = {
  '22': (c) => c === 1 || c === 2,
  '23': (c) => c === 3,
  '24': (c) => c === 4,
  '29': (c) => c === 9,
  '39': (c) => (c >= 30 && c <= 38) || (c >= 90 && c <= 97),
  '49': (c) => (c >= 40 && c <= 48) || (c >= 100 && c <= 107),
};

/** The SGR codes in force at the first cell of `text` on a screen captured with -e. */
function attributesOf(screen: string, text: string): Set<string> {
  const at = screen.indexOf(text);
  expect(at, `${text} on the screen`).toBeGreaterThan(-1);
  const active = new Set<number>();
  for (const [, params] of screen.slice(0, at).matchAll(new RegExp(`${ESC}\\[([0-9;]*)m`, 'g'))) {
    const codes = params!.split(';').map((p) => (p === '' ? 0 : Number(p)));
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      const end = ENDS[String(code)];
      if (code === 0) active.clear();
      else if (end) {
        for (const on of [...active]) if (end(on)) active.delete(on);
      } else {
        // 38;5;n and 38;2;r;g;b carry their color in the next parameters.
        if (code === 38 || code === 48) i += codes[i + 1] === 5 ? 2 : 4;
        active.add(code);
      }
    }
  }
  return new Set([...active].map(String));
}

describe.skipIf(TMUX_MISSING)(`parley chat: formatted messages${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, () => {
  it('shows bold, italic, strike, code and links with attributes and the link target, wrapped within the pane', async () => {
    const srv = await server();
    const bob = await person(srv, { kind: 'guest', name: 'bob' });
    await bob.join('#general');
    const term = await Terminal.open(['chat', `tcp://127.0.0.1:${srv.tcpPort}`, '--name', 'alice', '--no-e2e'], {});
    await term.see(/Members \(2\)/, 20_000);

    await bob.send('#general', 'say **loud** and *slant* ~~gone~~ `c *o* de`');
    await bob.send('#general', 'read [docs](https://example.com/d) <b>no</b>');
    const screen = await term.see('bob: read docs (https://example.com/d) <b>no</b>');
    expect(screen).toContain('bob: say loud and slant gone c *o* de');
    const styled = (await term.tmux('capture-pane', '-p', '-e', '-t', 'tui')).stdout;
    expect(attributesOf(styled, 'loud')).toContain('1');
    expect(attributesOf(styled, 'slant')).toContain('3');
    expect(attributesOf(styled, 'gone')).toContain('9');
    expect(attributesOf(styled, 'c *o* de')).toContain('36');
    expect(attributesOf(styled, 'docs')).toContain('4');
    expect(attributesOf(styled, ' and ')).toEqual(new Set());

    // A long bold run wraps under the text column, bold on every row.
    await bob.send('#general', `**${'bold words '.repeat(14).trim()}** end`);
    const wrapped = await term.see(/bob: bold words[\s\S]* end/);
    const rows = wrapped.split('\n').filter((row) => /bold words|words end/.test(row));
    expect(rows.length).toBeGreaterThan(1);
    const styledWrap = (await term.tmux('capture-pane', '-p', '-e', '-t', 'tui')).stdout.split('\n');
    const continuation = styledWrap.find((row) => row.includes('words') && !row.includes('bob:'));
    expect(continuation).toBeDefined();
    expect(attributesOf(continuation!, 'words')).toContain('1');
  }, 90_000);
});
