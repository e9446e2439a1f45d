import { intOrRaw, need, optional, usageError, type LineForm } from './line-form.ts';

/**
 * Text-mode words for what people do to messages after sending them (replies, edits,
 * redactions, reactions), typing and read state. A message is named by its conversation and
 * seq: HISTORY lines and OK SEND show seqs.
 */
const REPLY_USAGE = 'REPLY <#room|name> <seq> <text>';
const EDIT_USAGE = 'EDIT <#room|name> <seq> <new text>';
const REDACT_USAGE = 'REDACT <#room|name> <seq> [reason]';
const SEARCH_USAGE = 'SEARCH [in:<#room|name>] [from:<name>] [after:<YYYY-MM-DD>] [before:<YYYY-MM-DD>] <words>';
const react = (word: string, remove: boolean): LineForm => {
  const usage = `${word} <#room|name> <seq> <emoji>`;
  return {
    usage,
    verb: 'react',
    parse: (w) => ({ verb: 'react', args: { to: need(w.words[0], usage), seq: intOrRaw(need(w.words[1], usage)), emoji: need(w.words[2], usage), ...(remove ? { remove: true } : {}) } }),
  };
};

export const MESSAGE_LINES: Readonly<Record<string, LineForm>> = {
  REPLY: {
    usage: REPLY_USAGE,
    verb: 'send',
    parse: (w) => ({ verb: 'send', args: { to: need(w.words[0], REPLY_USAGE), reply: intOrRaw(need(w.words[1], REPLY_USAGE)), text: w.rest(2) } }),
  },
  EDIT: {
    usage: EDIT_USAGE,
    verb: 'edit',
    parse: (w) => ({ verb: 'edit', args: { to: need(w.words[0], EDIT_USAGE), seq: intOrRaw(need(w.words[1], EDIT_USAGE)), text: w.rest(2) } }),
  },
  REDACT: {
    usage: REDACT_USAGE,
    verb: 'redact',
    parse: (w) => ({ verb: 'redact', args: { to: need(w.words[0], REDACT_USAGE), seq: intOrRaw(need(w.words[1], REDACT_USAGE)), ...optional('reason', w.rest(2)) } }),
  },
  REACT: react('REACT', false),
  UNREACT: react('UNREACT', true),
  TYPING: {
    usage: 'TYPING <#room|name> [off]',
    verb: 'typing',
    parse: (w) => ({ verb: 'typing', args: { to: need(w.words[0], 'TYPING <#room|name> [off]'), ...(w.words[1]?.toLowerCase() === 'off' ? { on: false } : {}) } }),
  },
  READ: {
    usage: 'READ <#room|name> <seq>   (read up to that message: your other devices follow)',
    verb: 'read',
    parse: (w) => ({ verb: 'read', args: { to: need(w.words[0], 'READ <#room|name> <seq>'), seq: intOrRaw(need(w.words[1], 'READ <#room|name> <seq>')) } }),
  },
  UNREAD: { usage: 'UNREAD   (unread counts of your conversations)', verb: 'unread', parse: () => ({ verb: 'unread', args: {} }) },
  SEARCH: {
    usage: SEARCH_USAGE,
    verb: 'search',
    parse: (w) => ({ verb: 'search', args: searchArgs(w.rest(0)) }),
  },
};


/** `in:`, `from:`, `after:` and `before:` words are filters (dates in UTC); the other words are searched for. */
function searchArgs(line: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const words: string[] = [];
  for (const word of line.split(/\s+/).filter(Boolean)) {
    const filter = /^(in|from|after|before):(.+)$/i.exec(word);
    if (!filter) {
      words.push(word);
      continue;
    }
    const key = filter[1]!.toLowerCase();
    const value = filter[2]!;
    // A date the server cannot read stays a string: the schema says what is wrong with it.
    args[key] = key === 'after' || key === 'before' ? (Number.isNaN(Date.parse(value)) ? value : Date.parse(value)) : value;
  }
  args.words = words.join(' ');
  if (words.length === 0) throw usageError(SEARCH_USAGE, 'Give some words to search for');
  return args;
}
