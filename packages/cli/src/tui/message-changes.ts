import { foldChange, isChange } from '@parley/client';
import type { ChatMessage, Reaction } from '@parley/protocol';
import type { Line } from './conversations.ts';

/**
 * Edits, redactions and reactions on the lines a conversation shows (docs/tui.md, "Edits,
 * replies and reactions"). A change is a message of its own (`ref` names the one it is about);
 * the SDK's foldChange applies it with the server's rules, so what is on screen is what a
 * reload shows. History pages come folded already and keep the change rows: those are skipped.
 */
export { isChange };

/** The fields of a line a change can alter, as the ChatMessage foldChange works on. */
function asMessage(line: Line, conv: string): ChatMessage {
  return {
    conv,
    seq: line.seq ?? 0,
    from: line.from ?? '',
    to: '',
    text: line.text,
    ts: line.ts,
    ...(line.edited !== undefined ? { edited: line.edited } : {}),
    ...(line.redacted ? { redacted: true as const } : {}),
    ...(line.reactions ? { reactions: line.reactions } : {}),
  };
}

/**
 * `lines` with `change` applied to the stored message it names, or `lines` itself when that
 * message is not loaded or nothing changed. Lines are of one conversation, so a line without its
 * conversation id takes the change's.
 */
export function applyLineChange(lines: readonly Line[], change: ChatMessage): readonly Line[] {
  if (!isChange(change)) return lines;
  const index = lines.findIndex((l) => l.kind === 'message' && l.seq === change.ref && (l.conv === undefined || l.conv === change.conv));
  const line = lines[index];
  if (!line) return lines;
  const before = asMessage(line, change.conv);
  const after = foldChange(before, change);
  if (after === before) return lines;
  const { edited: _e, redacted: _r, reactions: _x, ...rest } = line;
  const next = [...lines];
  next[index] = {
    ...rest,
    text: after.text,
    ...(after.edited !== undefined ? { edited: after.edited } : {}),
    ...(after.redacted ? { redacted: true as const } : {}),
    ...(after.reactions ? { reactions: after.reactions } : {}),
  };
  return next;
}

/** "👍 2  🎉 1": the reactions row under a message. */
export function reactionText(reactions: readonly Reaction[]): string {
  return reactions.map((r) => `${r.emoji} ${r.count}`).join('  ');
}

/** The first line of a message, for the "↪ alice: …" quote above a reply. */
export function firstLine(text: string, max = 60): string {
  const first = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const chars = [...first];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : first;
}

/** The quote above a reply, from the message it answers (when loaded here). */
export function replyQuote(original: Pick<Line, 'from' | 'text' | 'redacted'> | undefined, seq: number): string {
  if (!original) return `↪ message ${seq}`;
  if (original.redacted) return `↪ ${original.from ?? '?'}: (message deleted)`;
  return `↪ ${original.from ?? '?'}: ${firstLine(original.text)}`;
}
