import { isVerb, nameKey, ParleyError, type AuditInfo, type ReplyData, type UserInfo, type Verb } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { escapeText } from '../core/text-lines.ts';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';
import { audit } from '../moderation/audit.ts';
import { ipLoginKey } from '../moderation/login-guard.ts';
import { atLeast, roomRoleOf } from '../moderation/roles.ts';
import { canSeeInside } from '../moderation/room-policy.ts';
import { canDisable } from './authorize.ts';
import type { CommandContext, CommandFamily } from './command.ts';
import { actorOf, loggedIn } from './command.ts';
import { findNamedUser } from './targets.ts';

const OPER_KEY = 'oper';

function disabledList(server: ServerContext): Verb[] {
  return [...server.moderation.disabled].sort();
}

function toggleable(command: string): Verb {
  const verb = command.toLowerCase();
  if (canDisable(verb)) return verb;
  if (!isVerb(verb)) throw new ParleyError('BAD_ARGUMENTS', `"${command.slice(0, 32)}" is not a command (see HELP)`);
  throw new ParleyError('BAD_ARGUMENTS', `${verb.toUpperCase()} cannot be disabled`);
}

function auditLine(entry: AuditInfo): string {
  const fields = [entry.id, new Date(entry.at).toISOString(), entry.actor, entry.action, escapeText(entry.target), escapeText(entry.detail)];
  return `AUDIT ${fields.filter((field) => field !== '').join(' ')}`;
}

/** Server administration: operator elevation, server and user info, broadcasts, roles, disabled commands, the audit log. */
export const adminCommands: CommandFamily<'oper' | 'serverinfo' | 'userinfo' | 'broadcast' | 'grant' | 'disable' | 'enable' | 'audit'> = {
  oper: {
    summary: 'Become an operator on this connection with the one-time operator password',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { password }) {
      const { server, session } = ctx;
      const user = loggedIn(ctx);
      const { moderation } = server;
      const keys = [`${OPER_KEY}:${ipLoginKey(session.transport.remoteAddress)}`];
      const wait = moderation.logins.lockedFor(keys);
      if (wait > 0) throw new ParleyError('LOGIN_LOCKED', 'Too many wrong operator passwords; wait', { retryAfterMs: wait });
      if (!moderation.oper || !moderation.oper.verify(password)) {
        moderation.logins.fail(keys);
        await audit(server, { actor: user.name, action: 'oper.failed', target: session.transport.remoteAddress });
        throw new ParleyError('BAD_CREDENTIALS', moderation.oper ? 'Wrong operator password' : 'The operator password is turned off here');
      }
      moderation.elevate(session);
      // One-time: a used password is replaced at once (the new one is announced like a rotation).
      moderation.oper.rotate();
      const role = moderation.roleOf(session);
      await audit(server, { actor: user.name, action: 'oper', target: session.transport.remoteAddress, detail: role });
      return { data: { role }, text: `OK OPER ${role}` };
    },
  },
  serverinfo: {
    summary: 'Server version, uptime, connections, rooms, accounts, store size and listeners',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    async handle({ server }) {
      const data = {
        name: server.config.server_name,
        version: server.version,
        uptimeSeconds: Math.round((Date.now() - server.startedAt) / 1000),
        connections: server.sessions.size,
        usersOnline: server.users.size,
        rooms: server.rooms.size,
        accounts: await server.store.countAccounts(),
        storeBytes: await server.store.sizeBytes(),
        listeners: [...server.listeners],
      };
      const text = Object.entries(data).map(([key, value]) => `INFO ${key} ${Array.isArray(value) ? value.join(' ') : String(value)}`);
      return { data, text: [...text, 'OK SERVERINFO'] };
    },
  },
  userinfo: {
    summary: "A user's account, role, sessions and rooms (addresses only for operators)",
    auth: 'user',
    rate: 'none',
    async handle(ctx, { name }) {
      const { server, session } = ctx;
      const target = await findNamedUser(server, name);
      const showIp = atLeast(server.moderation.roleOf(session), 'operator');
      const account = target.accountId === undefined ? undefined : await server.store.findAccount(nameKey(target.name));
      const online = target.online;
      const info: UserInfo = {
        name: target.name,
        kind: target.accountId === undefined ? 'guest' : 'account',
        role: target.role,
        online: online !== undefined,
        ...(account ? { created: account.createdAt } : {}),
        sessions: [...(online?.sessions ?? [])].map((s) => ({
          id: s.id,
          since: s.createdAt,
          transport: s.transport.kind,
          ...(showIp ? { ip: s.transport.remoteAddress } : {}),
        })),
        rooms: (await roomsOf(server, target.online, target.accountId))
          .filter((room) => canSeeInside(actorOf(ctx), room))
          .map((room) => ({ name: room.name, role: roomRoleOf(room, target.userId) })),
      };
      const lines = [
        `USER ${info.name} ${info.kind} ${info.role} ${info.online ? 'online' : 'offline'}`,
        ...info.sessions.map((s) => `SESSION ${s.id} ${s.transport} since ${new Date(s.since).toISOString()}${s.ip ? ` from ${s.ip}` : ''}`),
        ...(info.rooms.length > 0 ? [`ROOMS ${info.rooms.map((r) => (r.role === 'member' ? r.name : `${r.name}(${r.role})`)).join(' ')}`] : []),
      ];
      return { data: info, text: [...lines, `OK USERINFO ${info.name}`] };
    },
  },
  broadcast: {
    summary: 'Send a notice from the server to every connection',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    async handle(ctx, { text }) {
      const actor = loggedIn(ctx);
      const { server } = ctx;
      if (Buffer.byteLength(text) > server.config.limits.max_text_bytes) throw new ParleyError('TEXT_TOO_LONG', 'The broadcast is too long');
      const recipients = broadcast(server, text);
      await audit(server, { actor: actor.name, action: 'broadcast', detail: text });
      return { data: { recipients }, text: `OK BROADCAST ${recipients}` };
    },
  },
  grant: {
    summary: "Set an account's server role: owner, operator or user (server owners only)",
    auth: 'user',
    role: 'owner',
    rate: 'none',
    async handle(ctx, { name, role }) {
      const actor = loggedIn(ctx);
      const target = await findNamedUser(ctx.server, name);
      if (target.accountId === undefined) throw new ParleyError('FORBIDDEN', 'Only accounts can hold a server role');
      await ctx.server.store.setServerRole(target.accountId, role === 'user' ? null : role, actor.name);
      ctx.server.cluster?.moderationChanged();
      await ctx.server.moderation.load();
      await audit(ctx.server, { actor: actor.name, action: 'role.grant', target: target.name, detail: role });
      return { data: { name: target.name, role }, text: `OK GRANT ${target.name} ${role}` };
    },
  },
  disable: {
    summary: 'Disable a command for everyone below operator (persists across restarts)',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    handle: (ctx, { command }) => setDisabled(ctx, command, true),
  },
  enable: {
    summary: 'Enable a disabled command again',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    handle: (ctx, { command }) => setDisabled(ctx, command, false),
  },
  audit: {
    summary: 'Read the audit log, newest first',
    auth: 'user',
    role: 'operator',
    rate: 'none',
    async handle({ server }, { limit, before }) {
      const entries = await server.store.listAudit({ limit: limit ?? 50, ...(before === undefined ? {} : { before }) });
      return { data: { entries }, text: [...entries.map(auditLine), `OK AUDIT ${entries.length}`] };
    },
  },
};

/** Online users' rooms from memory; an offline account's stored memberships. */
async function roomsOf(server: ServerContext, online: User | undefined, accountId: number | undefined): Promise<Room[]> {
  if (online) return [...online.rooms.values()];
  if (accountId === undefined) return [];
  return (await server.store.roomsOf(accountId)).flatMap((key) => server.rooms.find(key) ?? []);
}

/** A notice to every connection that can receive one, logged in or not. Returns how many got it. */
export function broadcast(server: ServerContext, text: string): number {
  const out = new OutboundEvent({ ev: 'notice', text: `[${server.config.server_name}] ${text}` });
  let recipients = 0;
  for (const session of server.sessions) if (session.deliver(out)) recipients += 1;
  return recipients;
}

/** DISABLE and ENABLE (their replies have the same shape): persist, reload the moderation snapshot, audit, reply. */
async function setDisabled(ctx: CommandContext, command: string, disabled: boolean): Promise<{ data: ReplyData['disable'] & ReplyData['enable']; text: string }> {
  const actor = loggedIn(ctx);
  const verb = toggleable(command);
  await ctx.server.store.setCommandDisabled(verb, disabled, actor.name);
  ctx.server.cluster?.moderationChanged();
  await ctx.server.moderation.load();
  await audit(ctx.server, { actor: actor.name, action: disabled ? 'command.disable' : 'command.enable', target: verb });
  const data = { command: verb, disabled: disabledList(ctx.server) };
  return { data, text: `OK ${disabled ? 'DISABLE' : 'ENABLE'} ${verb}` };
}
