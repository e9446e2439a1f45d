/** What a key press means to the terminal UI. Pure, so the bindings have unit tests. */
export type KeyCommand =
  | { type: 'select'; index: number }
  | { type: 'cycle'; delta: 1 | -1 }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'history'; direction: 1 | -1 }
  | { type: 'complete' }
  | { type: 'submit' }
  | { type: 'edit'; op: 'backspace' | 'delete' | 'left' | 'right' | 'home' | 'end' | 'word' | 'kill' }
  | { type: 'insert'; text: string }
  | { type: 'escape' }
  | { type: 'quit' };

/** The fields of Ink's `Key` the bindings use. */
export interface KeyLike {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

const CTRL: Record<string, KeyCommand> = {
  n: { type: 'cycle', delta: 1 },
  p: { type: 'cycle', delta: -1 },
  a: { type: 'edit', op: 'home' },
  e: { type: 'edit', op: 'end' },
  w: { type: 'edit', op: 'word' },
  u: { type: 'edit', op: 'kill' },
  d: { type: 'edit', op: 'delete' },
  c: { type: 'quit' },
};

export function keyCommands(input: string, key: KeyLike): KeyCommand[] {
  if (key.pageUp) return [{ type: 'page', direction: -1 }];
  if (key.pageDown) return [{ type: 'page', direction: 1 }];
  if (key.upArrow) return [{ type: 'history', direction: -1 }];
  if (key.downArrow) return [{ type: 'history', direction: 1 }];
  if (key.leftArrow) return [{ type: 'edit', op: 'left' }];
  if (key.rightArrow) return [{ type: 'edit', op: 'right' }];
  if (key.home) return [{ type: 'edit', op: 'home' }];
  if (key.end) return [{ type: 'edit', op: 'end' }];
  if (key.return) return [{ type: 'submit' }];
  if (key.tab) return [{ type: 'complete' }];
  // Ink reports the Backspace key (DEL, 0x7f) as `delete`; forward delete is Ctrl+D.
  if (key.backspace || key.delete) return [{ type: 'edit', op: 'backspace' }];
  if (key.escape) return [{ type: 'escape' }];
  if (key.ctrl) {
    const command = CTRL[input.toLowerCase()];
    return command ? [command] : [];
  }
  // Alt+1 … Alt+9 pick a conversation, Alt+0 the tenth.
  if (key.meta && /^[0-9]$/.test(input)) return [{ type: 'select', index: (Number(input) + 9) % 10 }];
  if (key.meta) return [];
  if (input === '') return [];
  // A paste (or fast typing) can bring several keys in one chunk: text, line ends, Tab, DEL.
  const commands: KeyCommand[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') commands.push({ type: 'insert', text });
    text = '';
  };
  for (const char of input.replace(/\r\n/g, '\r')) {
    const code = char.codePointAt(0)!;
    const special = CHUNK_KEYS[char] ?? (code < 0x20 ? CTRL[String.fromCharCode(code + 0x60)] : undefined);
    if (special) {
      flush();
      commands.push(special);
    } else if (!/[\u0000-\u001f\u007f]/.test(char)) {
      text += char;
    }
  }
  flush();
  return commands;
}

const CHUNK_KEYS: Record<string, KeyCommand> = {
  '\r': { type: 'submit' },
  '\n': { type: 'submit' },
  '\t': { type: 'complete' },
  '\u007f': { type: 'edit', op: 'backspace' },
  '\b': { type: 'edit', op: 'backspace' },
};
