import { foldName, nameKey, ParleyError, PROTOCOL_VERSION, validateUserName, type LoginData } from '@parley/protocol';
import { accountUserId, User } from '../chat/user.ts';
import { deliverPending, signIn } from '../chat/sign-in.ts';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../identity/passwords.ts';
import { StoreError, type Account } from '../store/store.ts';
import { audit } from '../moderation/audit.ts';
import { normalizeIp } from '../moderation/ban-target.ts';
import { isMuted } from '../moderation/room-policy.ts';
import { accountLoginKey, ipLoginKey } from '../moderation/login-guard.ts';
import type { CommandFamily, CommandResult } from './command.ts';
import { loggedIn } from './command.ts';

const MAX_PASSWORD_LENGTH = 1024;

async function assertNameFree(server: ServerContext, name: string): Promise<void> {
  if (server.users.isTaken(name) || (await server.store.findAccount(nameKey(name)))) {
    throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
  }
}

/**
 * The account a login names. Its key is the lookalike key, except for an account registered
 * before lookalikes were folded whose new key an older lookalike account already had: that one
 * kept its old key (the case fold, see migration-0003-lookalike-keys.ts), so its exact name is
 * tried first. Only such accounts have a stored key that differs from the lookalike key.
 */
async function findLoginAccount(server: ServerContext, name: string): Promise<Account | undefined> {
  const key = nameKey(name);
  const folded = foldName(name);
  if (folded !== key) {
    const exact = await server.store.findAccount(folded);
    if (exact && foldName(exact.name) === folded) return exact;
  }
  return server.store.findAccount(key);
}

/** Server bans by name or address, checked at every login (live sessions: moderation/enforce.ts). */
function checkNotBanned(server: ServerContext, session: Session, name: string): void {
  const ban = server.moderation.bans.matchServer({ ip: session.transport.remoteAddress, account: nameKey(name) });
  if (ban) throw new ParleyError('BANNED', `You are banned from this server${ban.reason ? `: ${ban.reason}` : ''}`);
}

/** The first account of a fresh server becomes its owner (moderation.first_account_owner). */
async function maybeFirstOwner(server: ServerContext, accountId: number, name: string): Promise<void> {
  if (!server.config.moderation.first_account_owner || (await server.store.countAccounts()) !== 1) return;
  if ((await server.store.listServerRoles()).some((r) => r.role === 'owner')) return;
  await server.store.setServerRole(accountId, 'owner', 'server');
  await server.moderation.load();
  await audit(server, { actor: 'server', action: 'role.grant', target: name, detail: 'owner (first account)' });
}

async function welcome(server: ServerContext, session: Session, candidate: User): Promise<Omit<CommandResult, 'data'> & { data: LoginData }> {
  const { user, rooms } = await signIn(server, session, candidate);
  const roomNames = rooms.map((room) => room.name);
  const where = roomNames.length > 0 ? `you are in ${roomNames.join(' ')}` : 'you are in no room yet';
  return {
    data: { name: user.name, kind: user.kind, rooms: rooms.map((room) => ({ ...room.summary(), ...(isMuted(room, user) ? { muted: true as const } : {}) })) },
    text: `OK welcome ${user.name} (${user.kind}); ${where}. Type HELP for commands.`,
    after: async () => {
      // Text-mode users never see the hello reply that carries the MOTD.
      if (server.config.motd) session.deliver(new OutboundEvent({ ev: 'notice', text: server.config.motd }));
      await deliverPending(server, session, user);
    },
  };
}

export const identityCommands: CommandFamily<'hello' | 'guest' | 'register' | 'login' | 'nick' | 'quit' | 'ping' | 'pong'> = {
  hello: {
    summary: 'Start a structured session: {"cmd":"hello","v":1}',
    auth: 'any',
    rate: 'none',
    handle({ server, session }, { v }) {
      if (v !== PROTOCOL_VERSION) {
        throw new ParleyError('UNSUPPORTED_VERSION', `This server speaks protocol v${PROTOCOL_VERSION}, not v${v}`);
      }
      session.markHelloDone();
      const { limits } = server.config;
      return {
        data: {
          server: server.config.server_name,
          version: server.version,
          protocol: PROTOCOL_VERSION,
          motd: server.config.motd,
          limits: {
            maxFrameBytes: limits.max_frame_bytes,
            maxTextBytes: limits.max_text_bytes,
            maxRecipients: limits.max_recipients,
            messagesPerMinute: limits.messages_per_minute,
            messageBurst: limits.message_burst,
          },
        },
      };
    },
  },
  guest: {
    summary: 'Log in as a guest, with a chosen or an automatic name',
    auth: 'anonymous',
    rate: 'none',
    async handle({ server, session }, { name }) {
      if (!server.config.accounts.allow_guests) throw new ParleyError('GUESTS_DISABLED', 'Guests are not allowed here; LOGIN or REGISTER with a password');
      const chosen = name === undefined ? server.users.nextGuestName() : validateUserName(name);
      checkNotBanned(server, session, chosen);
      const ip = normalizeIp(session.transport.remoteAddress);
      const wait = server.moderation.isExempt(ip) ? 0 : server.moderation.guests.take(ip);
      if (wait > 0) throw new ParleyError('RATE_LIMITED', 'Too many guest logins from your address', { retryAfterMs: wait });
      if (name !== undefined) await assertNameFree(server, chosen);
      const { messages_per_minute: perMinute, message_burst: burst } = server.config.limits;
      return welcome(server, session, new User({ id: server.users.newGuestId(), name: chosen, accountId: undefined, rate: { perMinute, burst } }));
    },
  },
  register: {
    summary: 'Create an account with a password and log in',
    auth: 'anonymous',
    rate: 'none',
    async handle({ server, session }, { name: rawName, password }) {
      const name = validateUserName(rawName);
      const { min_password_length: min, password_hash: algorithm } = server.config.accounts;
      if ([...password].length < min || password.length > MAX_PASSWORD_LENGTH) {
        throw new ParleyError('PASSWORD_INVALID', `Passwords are ${min} to ${MAX_PASSWORD_LENGTH} characters`);
      }
      checkNotBanned(server, session, name);
      await assertNameFree(server, name);
      // Held from the check until the account exists, so no guest can claim it while we hash.
      const release = server.users.reserve(name);
      if (!release) throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
      let account;
      try {
        const passwordHash = await hashPassword(password, algorithm);
        account = await server.store.createAccount({ name, nameKey: nameKey(name), passwordHash }).catch((error: unknown) => {
          if (error instanceof StoreError && error.code === 'conflict') throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
          throw error;
        });
        // A new account starts in the default rooms; later logins bring back what it kept.
        for (const room of server.config.rooms.default) {
          const found = server.rooms.find(room);
          if (found) await server.store.addMember(found.key, account.id);
        }
        await maybeFirstOwner(server, account.id, account.name);
      } finally {
        release();
      }
      const { messages_per_minute: perMinute, message_burst: burst } = server.config.limits;
      return welcome(server, session, new User({ id: accountUserId(account.id), name: account.name, accountId: account.id, rate: { perMinute, burst } }));
    },
  },
  login: {
    summary: 'Log in to an account (several connections may share one account)',
    auth: 'anonymous',
    rate: 'none',
    async handle({ server, session }, { name, password }) {
      const { logins } = server.moderation;
      const ip = normalizeIp(session.transport.remoteAddress);
      // An exempt address (a local reverse proxy, say) stands for many clients: lock accounts only.
      const keys = [accountLoginKey(nameKey(name)), ...(server.moderation.isExempt(ip) ? [] : [ipLoginKey(ip)])];
      // Refused before hashing anything: a locked-out brute force costs the server nothing.
      // An admitted attempt holds a slot on its keys until it is settled (login-guard.ts).
      const attempt = logins.begin(keys);
      if (typeof attempt === 'number') throw new ParleyError('LOGIN_LOCKED', 'Too many failed logins; wait before trying again', { retryAfterMs: attempt });
      let account;
      try {
        account = await findLoginAccount(server, name);
        // Unknown names cost a hash too, so the time taken does not say whether an account
        // exists (the error is the same either way).
        const ok = account
          ? await verifyPassword(account.passwordHash, password)
          : await verifyAgainstDummy(password, server.config.accounts.password_hash);
        if (!account || !ok) {
          const lockout = attempt.fail();
          await audit(server, { actor: ip, action: 'login.failed', target: name.slice(0, 64), ...(lockout > 0 ? { detail: { lockoutMs: lockout } } : {}) });
          throw new ParleyError('BAD_CREDENTIALS', 'Unknown account or wrong password');
        }
        attempt.succeed(keys[0]!);
      } finally {
        attempt.release();
      }
      checkNotBanned(server, session, account.name);
      const { messages_per_minute: perMinute, message_burst: burst } = server.config.limits;
      const user = server.users.get(accountUserId(account.id)) ?? new User({ id: accountUserId(account.id), name: account.name, accountId: account.id, rate: { perMinute, burst } });
      return welcome(server, session, user);
    },
  },
  nick: {
    summary: 'Change your guest name (accounts keep theirs)',
    auth: 'user',
    rate: 'message',
    async handle(ctx, { name: rawName }) {
      const user = loggedIn(ctx);
      if (user.kind === 'account') throw new ParleyError('FORBIDDEN', 'Account names cannot change; guests can rename');
      const name = validateUserName(rawName);
      if (ctx.server.moderation.bans.matchServer({ account: nameKey(name) })) throw new ParleyError('FORBIDDEN', `The name ${name} is banned`);
      if (nameKey(name) !== user.key) await assertNameFree(ctx.server, name);
      const old = user.name;
      ctx.server.users.rename(user, name);
      ctx.server.router.toRoomPeers(user, new OutboundEvent({ ev: 'nick', old, new: name }), true);
      return { data: { old, name }, text: `OK NICK ${old} ${name}` };
    },
  },
  quit: {
    summary: 'Close the connection',
    auth: 'any',
    rate: 'none',
    handle({ session }) {
      return { data: {}, text: 'OK bye', after: () => session.close('quit') };
    },
  },
  ping: {
    summary: 'Check the connection; the reply echoes the token',
    auth: 'any',
    rate: 'none',
    handle(_ctx, { token }) {
      return { data: { token: token ?? '' }, text: `OK PONG${token ? ` ${token}` : ''}` };
    },
  },
  pong: {
    summary: "Answer the server's PING (any traffic also counts as alive)",
    auth: 'any',
    rate: 'none',
    // Its arrival already marked the connection alive (Session.heardFrom); nothing is left to do.
    handle() {
      return { data: {}, silent: true };
    },
  },
};
