/** @jsxImportSource preact */

/** The optional reason that kicks, bans and mutes ask for (the server allows 300 characters). */
export function ReasonField({ value, onInput }: { value: string; onInput: (value: string) => void }) {
  return (
    <label class="field">
      <span>
        Reason <small>optional</small>
      </span>
      <input value={value} maxLength={300} onInput={(event) => onInput(event.currentTarget.value)} />
    </label>
  );
}

/** `ban` durations in the server's own syntax ("10m", "7d"); "" is permanent. */
const DURATIONS: [value: string, label: string][] = [
  ['', 'Permanent'],
  ['10m', '10 minutes'],
  ['1h', '1 hour'],
  ['1d', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];

export function DurationField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label class="field">
      <span>Duration</span>
      <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {DURATIONS.map(([duration, label]) => (
          <option key={duration} value={duration}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
