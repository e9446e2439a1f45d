import { foldName } from '@parley/protocol';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const fullDateYear = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

export const formatTime = (ts: number): string => time.format(ts);
export const formatStamp = (ts: number): string => stamp.format(ts);

/** How long a ban lasts, from its `expires` (null: permanent). */
export const formatBanEnd = (expires: number | null): string => (expires === null ? 'permanently' : `until ${formatStamp(expires)}`);

/** The local calendar day of a timestamp, for day separators. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return 'Today';
  if (dayKey(ts) === dayKey(now - 86_400_000)) return 'Yesterday';
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? fullDate.format(ts) : fullDateYear.format(ts);
}

export const NAME_COLORS = 10;

/** A stable color slot per person (same name, any casing, same color everywhere): FNV-1a of the name key. */
export function nameColor(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of foldName(name)) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % NAME_COLORS;
}

export function initials(name: string): string {
  return ([...name.replace(/^#/, '')][0] ?? '?').toUpperCase();
}
