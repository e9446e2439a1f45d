import { ParleyError } from '../errors.ts';

/** What a `mode` request may change; an empty object only reads the modes. */
export interface ModeChanges {
  invite_only?: boolean;
  moderated?: boolean;
  topic_lock?: boolean;
  /** End-to-end encryption: only ever turned on. */
  encrypted?: boolean;
  /** A room password; "" removes it. */
  password?: string;
}

export const MODE_USAGE = '[+i|-i] [+m|-m] [+t|-t] [+k password|-k] [+E]';

const FLAGS = { i: 'invite_only', m: 'moderated', t: 'topic_lock', E: 'encrypted' } as const;
const GROUP = /^[+-]/;

function bad(message: string): ParleyError {
  return new ParleyError('BAD_ARGUMENTS', `${message}. Modes: ${MODE_USAGE} (invite-only, moderated, topic lock, password, end-to-end encrypted)`);
}

/**
 * IRC-style mode words: groups of letters after a sign (`+i`, `-m`, `+imt`, `+i-t`), with
 * `+k` taking the next word as the password, in order (`+ik secret +m`). `-k` removes the
 * password and, as IRC clients send `-k <key>`, swallows a following word that is not a group.
 * Everything else is refused rather than guessed at: a word without a sign (`imt`), a sign
 * without letters, an unknown letter, `+k` without a password.
 */
export function parseModeFlags(words: readonly string[]): ModeChanges {
  const changes: ModeChanges = {};
  let next = 0;
  const take = (): string | undefined => words[next++];
  while (next < words.length) {
    const group = take()!;
    if (!GROUP.test(group)) throw bad(`"${group.slice(0, 40)}" is not a mode change: flags start with + or -`);
    let on = true;
    let letters = 0;
    for (const char of group) {
      if (char === '+' || char === '-') {
        on = char === '+';
        continue;
      }
      letters += 1;
      if (char === 'k') {
        if (on) {
          const password = take();
          if (password === undefined || password === '') throw bad('+k needs the password after it');
          changes.password = password;
        } else {
          changes.password = '';
          if (next < words.length && !GROUP.test(words[next]!)) next += 1;
        }
      } else if (Object.hasOwn(FLAGS, char)) {
        changes[FLAGS[char as keyof typeof FLAGS]] = on;
      } else {
        throw bad(`Unknown mode "${char}"`);
      }
    }
    if (letters === 0) throw bad(`"${group}" has no mode letter`);
  }
  return changes;
}

/** Mode words that parse back to the same changes (`+k` last, with its password). */
export function formatModeFlags(changes: ModeChanges): string[] {
  const out: string[] = [];
  for (const [letter, key] of Object.entries(FLAGS) as [keyof typeof FLAGS, (typeof FLAGS)[keyof typeof FLAGS]][]) {
    const value = changes[key];
    if (value !== undefined) out.push(`${value ? '+' : '-'}${letter}`);
  }
  if (changes.password !== undefined) out.push(...(changes.password === '' ? ['-k'] : ['+k', changes.password]));
  return out;
}
