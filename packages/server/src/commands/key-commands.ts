import { MAX_KEYS_PER_ACCOUNT, ParleyError, type KeyInfo } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { escapeText } from '../core/text-lines.ts';
import { accountUserId, type User } from '../chat/user.ts';
import { audit } from '../moderation/audit.ts';
import { closeDeviceSessions } from '../moderation/device-revocation.ts';
import { StoreError, type AccountKeyRecord } from '../store/store.ts';
import type { CommandContext, CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';
import { assertKeyProof, issueChallenge } from './key-proof-check.ts';

const toInfo = (record: AccountKeyRecord): KeyInfo => ({ key: record.key, label: record.label, createdAt: record.createdAt, lastUsedAt: record.lastUsedAt });
const iso = (ms: number) => new Date(ms).toISOString();

function accountOf(ctx: CommandContext): User & { accountId: number } {
  const user = loggedIn(ctx);
  if (user.accountId === undefined) throw new ParleyError('FORBIDDEN', 'Guests have no login keys: only accounts do (REGISTER with a key makes one)');
  return user as User & { accountId: number };
}

/** The connections of the account that signed in with `key`. */
function sessionsWithKey(server: ServerContext, accountId: number, key: string) {
  return [...(server.users.get(accountUserId(accountId))?.sessions ?? [])].filter((session) => session.loginKey === key);
}

/**
 * Key login (see docs/protocol.md, "Keys"): a single-use challenge to sign, and an account's
 * login keys. A key proves itself by signing the challenge of this connection for the purpose
 * at hand (key-proof-check.ts), so a key nobody holds cannot be added to anyone's account.
 */
export const keyCommands: CommandFamily<'challenge' | 'keys' | 'addkey' | 'removekey'> = {
  challenge: {
    summary: 'A single-use nonce to sign with a key, for LOGIN, REGISTER or ADDKEY',
    auth: 'any',
    rate: 'none',
    handle({ server, session }) {
      const data = issueChallenge(server, session);
      return { data, text: `OK CHALLENGE ${data.nonce} ${data.server} ${data.binding} ${data.expiresInMs}` };
    },
  },
  keys: {
    summary: 'List the keys that sign in to your account',
    auth: 'user',
    role: 'user',
    rate: 'none',
    async handle(ctx) {
      const user = accountOf(ctx);
      const keys = (await ctx.server.store.keys.listFor(user.accountId)).map(toInfo);
      const lines = keys.map((k) => `KEY ${k.key} ${iso(k.createdAt)} ${iso(k.lastUsedAt)} ${ctx.session.loginKey === k.key ? 'this' : '-'} ${escapeText(k.label)}`);
      return { data: { name: user.name, keys }, text: [...lines, `OK KEYS ${user.name} ${keys.length}`] };
    },
  },
  addkey: {
    summary: 'Add a key that signs in to your account (sign a CHALLENGE with it, purpose "addkey")',
    auth: 'user',
    role: 'user',
    rate: 'message',
    async handle(ctx, { key, signature, label }) {
      const { server, session } = ctx;
      const user = accountOf(ctx);
      assertKeyProof(server, session, { purpose: 'addkey', name: user.name, key, signature });
      if ((await server.store.keys.listFor(user.accountId)).length >= MAX_KEYS_PER_ACCOUNT) {
        throw new ParleyError('TOO_MANY_KEYS', `An account has at most ${MAX_KEYS_PER_ACCOUNT} login keys; REMOVEKEY one first`);
      }
      const record = await server.store.keys.add({ accountId: user.accountId, key, label: label ?? 'key', at: Date.now() }).catch((error: unknown) => {
        if (error instanceof StoreError && error.code === 'conflict') throw new ParleyError('KEY_TAKEN', 'That key signs in to an account already');
        throw error;
      });
      await audit(server, { actor: user.name, action: 'key.add', target: user.name, detail: { key, label: record.label } });
      return { data: toInfo(record), text: `OK ADDKEY ${key}` };
    },
  },
  removekey: {
    summary: 'Remove a login key of your account; the connections signed in with it close',
    auth: 'user',
    role: 'user',
    rate: 'none',
    async handle(ctx, { key }) {
      const { server, session } = ctx;
      const user = accountOf(ctx);
      if (!(await server.store.keys.remove(user.accountId, key))) throw new ParleyError('NO_SUCH_KEY', 'Your account has no such key; KEYS lists them');
      const sessions = sessionsWithKey(server, user.accountId, key);
      await audit(server, { actor: user.name, action: 'key.remove', target: user.name, detail: { key, sessions: sessions.length } });
      return {
        data: { key, sessions: sessions.length },
        text: `OK REMOVEKEY ${key} ${sessions.length}`,
        // After the reply: the connection asking may be one of them.
        after: () => {
          for (const closing of sessions) closeDeviceSessions([closing], closing === session ? 'You removed the key this connection signed in with' : 'This key was removed from the account from another connection');
        },
      };
    },
  },
};
