import { ParleyError } from '../errors.ts';

/**
 * Durations of bans (and anything else timed): "30s", "10m", "2h", "7d", "1w" or a number of
 * seconds; 0 means permanent. Bounded at ten years: past that, a timed ban is a permanent one
 * in all but name, and an unbounded one ("999999999w") overflows the JavaScript Date range
 * (8.64e15 ms), which broke every later ban listing.
 */
export const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION_WORD = /^(\d{1,12})([smhdw]?)$/i;

/** Whether a word reads as a duration, so "BAN bob 1h spam" takes 1h as the duration. */
export function isDurationWord(word: string | undefined): boolean {
  return word !== undefined && DURATION_WORD.test(word);
}

/** Seconds, or undefined when the text is not a duration at all (bounds are checked apart). */
function toSeconds(raw: string | number): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? raw : undefined;
  const match = DURATION_WORD.exec(raw.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[(match[2] || 's').toLowerCase()] ?? 1);
}

/** Milliseconds, or null for permanent (absent or 0). Throws BAD_ARGUMENTS for anything else. */
export function parseDuration(raw: string | number | undefined): number | null {
  if (raw === undefined) return null;
  const seconds = toSeconds(raw);
  if (seconds === undefined) throw new ParleyError('BAD_ARGUMENTS', `"${String(raw).slice(0, 40)}" is not a duration such as 30s, 10m, 2h, 7d or 1w`);
  if (seconds > MAX_DURATION_SECONDS) {
    throw new ParleyError('BAD_ARGUMENTS', `A duration is at most 10 years (${MAX_DURATION_SECONDS / 86_400}d); for a permanent one give 0 or none`);
  }
  return seconds === 0 ? null : seconds * 1000;
}

/** The shortest word that parses back to the same duration ("90m" stays "90m", 7200 s is "2h"). */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '0';
  const seconds = Math.round(ms / 1000);
  for (const [unit, size] of [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
