/** @jsxImportSource preact */
import { t, type MessageKey } from './i18n/index.ts';

/** The optional reason that kicks, bans and mutes ask for (the server allows 300 characters). */
export function ReasonField({ value, onInput }: { value: string; onInput: (value: string) => void }) {
  return (
    <label class="field">
      <span>
        {t('fields.reason')} <small>{t('fields.optional')}</small>
      </span>
      <input value={value} maxLength={300} onInput={(event) => onInput(event.currentTarget.value)} />
    </label>
  );
}

/** `ban` durations in the server's own syntax ("10m", "7d"); "" is permanent. */
const DURATIONS: [value: string, label: MessageKey, count: number][] = [
  ['', 'fields.permanent', 0],
  ['10m', 'fields.minutes', 10],
  ['1h', 'fields.hours', 1],
  ['1d', 'fields.days', 1],
  ['7d', 'fields.days', 7],
  ['30d', 'fields.days', 30],
];

export function DurationField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label class="field">
      <span>{t('fields.duration')}</span>
      <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {DURATIONS.map(([duration, label, count]) => (
          <option key={duration} value={duration}>
            {t(label, { count })}
          </option>
        ))}
      </select>
    </label>
  );
}
