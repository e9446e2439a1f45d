/**
 * "5 minutes ago", "yesterday", "3 weeks ago": how long since a device was used, the way a
 * person reads it when deciding which one to sign out. Past a year, the date itself.
 */
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 1000],
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
  ['week', 7 * 86_400_000],
  ['month', 30 * 86_400_000],
];

export function formatAgo(ts: number, now = Date.now()): string {
  const elapsed = Math.max(0, now - ts);
  if (elapsed < 45_000) return 'just now';
  if (elapsed >= 365 * 86_400_000) return date.format(ts);
  let unit = UNITS[0]!;
  for (const candidate of UNITS) if (elapsed >= candidate[1]) unit = candidate;
  return relative.format(-Math.floor(elapsed / unit[1]), unit[0]);
}
