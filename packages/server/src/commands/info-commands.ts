import { DIALECT_ALIASES, DIALECT_NAMES, PARLEY_LINES, VERBS, type Dialect } from '@parley/protocol';
import { OutboundEvent } from '../core/outbound.ts';
import type { CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';

/** "also understood" lines of HELP: the words of other servers, per server. */
function dialectLines(): string[] {
  const byDialect = new Map<Dialect, string[]>();
  for (const [word, { of, from }] of Object.entries(DIALECT_ALIASES)) {
    byDialect.set(from, [...(byDialect.get(from) ?? []), `${word.toLowerCase()}=${of}`]);
  }
  return [...byDialect].map(([dialect, words]) => `HELP from ${DIALECT_NAMES[dialect]}: ${words.join(' ')}`);
}

export const infoCommands: CommandFamily<'list' | 'presence' | 'help'> = {
  list: {
    summary: 'List online users with their presence, and user counts',
    auth: 'user',
    rate: 'none',
    handle({ server }) {
      const users = [...server.users.all()].sort((a, b) => a.key.localeCompare(b.key));
      const guests = users.filter((u) => u.kind === 'guest').length;
      return {
        data: {
          users: users.map((u) => ({ name: u.name, status: u.status, kind: u.kind })),
          counts: { online: users.length, guests, accounts: users.length - guests, connections: server.sessions.size },
        },
        text: `OK LIST ${users.length} ${users.map((u) => u.name).join(' ')}`.trimEnd(),
      };
    },
  },
  presence: {
    summary: 'Set your presence: online or away',
    auth: 'user',
    rate: 'message',
    handle(ctx, { status }) {
      const user = loggedIn(ctx);
      if (user.status !== status) {
        user.status = status;
        ctx.server.router.toRoomPeers(user, new OutboundEvent({ ev: 'presence', user: user.name, status }));
      }
      return { data: { status }, text: `OK PRESENCE ${status}` };
    },
  },
  help: {
    summary: 'List the commands',
    auth: 'any',
    rate: 'none',
    handle({ server, commands }) {
      const disabled = [...server.moderation.disabled].sort();
      const list = VERBS.map((verb) => {
        const { summary, auth, role = 'guest', roomRole } = commands[verb];
        return { cmd: verb, summary, auth, role, ...(roomRole ? { roomRole } : {}) };
      });
      const off = disabled.length > 0 ? [`HELP disabled: ${disabled.map((verb) => verb.toUpperCase()).join(' ')}`] : [];
      return {
        data: { commands: list, disabled },
        text: [...Object.values(PARLEY_LINES).map((form) => `HELP ${form.usage}`), ...dialectLines(), ...off, 'OK HELP'],
      };
    },
  },
};
