import { foldName } from '@parley/protocol';
import { localeTag, t } from './i18n/index.ts';

type Formats = Record<'time' | 'dateTime' | 'dateTimeYear' | 'day' | 'dayYear' | 'stamp', Intl.DateTimeFormat>;
let formats: { tag: string; f: Formats } | undefined;

/** Made on first use, after the language is chosen, and again if it changes. */
function f(): Formats {
  const tag = localeTag();
  if (formats?.tag === tag) return formats.f;
  const made: Formats = {
    time: new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' }),
    dateTime: new Intl.DateTimeFormat(tag, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    dateTimeYear: new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    day: new Intl.DateTimeFormat(tag, { weekday: 'long', month: 'long', day: 'numeric' }),
    dayYear: new Intl.DateTimeFormat(tag, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }),
    stamp: new Intl.DateTimeFormat(tag, { dateStyle: 'full', timeStyle: 'medium' }),
  };
  formats = { tag, f: made };
  return made;
}

/** A message's time as people read it: today only the time, older the date and the time. */
export function formatWhen(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return f().time.format(ts);
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? f().dateTime.format(ts) : f().dateTimeYear.format(ts);
}

/** The full date and time (the tooltip on every time, user info). */
export const formatStamp = (ts: number): string => f().stamp.format(ts);

/** How long a ban lasts, from its `expires` (null: permanent). */
export const formatBanEnd = (expires: number | null): string => (expires === null ? t('ban.permanently') : t('ban.until', { when: formatStamp(expires) }));

/** The local calendar day of a timestamp, for day separators. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return t('day.today');
  if (dayKey(ts) === dayKey(now - 86_400_000)) return t('day.yesterday');
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? f().day.format(ts) : f().dayYear.format(ts);
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
