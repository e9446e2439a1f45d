import type { CommandArgs, RoomModes } from '@parley/protocol';

/** What a `mode` request may change; an empty object only reads the modes. */
export type ModeChanges = Omit<CommandArgs<'mode'>, 'room'>;

export const MODE_USAGE = '/mode [+i|-i] [+m|-m] [+t|-t] [+k password|-k]';

/** The mode letters of the server's text syntax (docs/protocol.md, `mode`), as `mode` arguments. */
const FLAGS = { i: 'invite_only', m: 'moderated', t: 'topic_lock' } as const;

/**
 * Parses IRC-style mode flags, as the server's `MODE` line does: `+i`, `-m`, combined (`+imt`,
 * `+i-t`), and `+k <password>` / `-k`. The password is the word after the flags that ask for it,
 * so `+ik secret` works. Returns undefined for anything else (the caller shows the usage).
 */
export function parseModeFlags(words: readonly string[]): ModeChanges | undefined {
  const changes: ModeChanges = {};
  const rest = [...words];
  while (rest.length > 0) {
    const word = rest.shift() ?? '';
    if (!/^[+-][+\-imtk]*$/.test(word)) return undefined;
    let on = true;
    let letters = 0;
    for (const char of word) {
      if (char === '+' || char === '-') {
        on = char === '+';
      } else if (char === 'k') {
        letters += 1;
        if (!on) changes.password = '';
        else {
          const password = rest.shift();
          if (password === undefined || password === '') return undefined;
          changes.password = password;
        }
      } else {
        letters += 1;
        changes[FLAGS[char as keyof typeof FLAGS]] = on;
      }
    }
    if (letters === 0) return undefined;
  }
  return changes;
}

/** The modes as a person reads them: "invite-only, password" or "none". */
export function describeModes(modes: RoomModes): string {
  const on = [modes.inviteOnly && 'invite-only', modes.password && 'password', modes.moderated && 'moderated', modes.topicLock && 'topic locked'].filter(
    (label): label is string => typeof label === 'string',
  );
  return on.length > 0 ? on.join(', ') : 'none';
}
