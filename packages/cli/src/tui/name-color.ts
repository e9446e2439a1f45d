import { nameKey } from '@parley/protocol';

/**
 * Colors readable on dark and light backgrounds; no red (errors) and no gray (system lines).
 * Ink accepts these names as foreground colors.
 */
export const NAME_COLORS = ['green', 'yellow', 'blue', 'magenta', 'cyan', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright'] as const;
export type NameColor = (typeof NAME_COLORS)[number];

/** A stable color per user: FNV-1a of the folded name, so "Alice" and "alice" match everywhere. */
export function nameColor(name: string): NameColor {
  let hash = 0x811c9dc5;
  for (const char of nameKey(name)) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NAME_COLORS[hash % NAME_COLORS.length]!;
}
