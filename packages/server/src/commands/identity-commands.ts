import { nameKey, ParleyError, PROTOCOL_VERSION, validateUserName, type LoginData } from '@parley/protocol';
import { accountUserId, User } from '../chat/user.ts';
import { deliverPending, signIn } from '../chat/sign-in.ts';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import { hashPassword } from '../identity/passwords.ts';
import { StoreError } from '../store/store.ts';
import { audit } from '../moderation/audit.ts';
import { normalizeIp } from '../moderation/ban-target.ts';
import { isMuted } from '../moderation/room-policy.ts';
import type { CommandFamily, CommandResult } from './command.ts';
import { loggedIn } from './command.ts';
import { signInWithDevice, type DeviceStep } from './device-sign-in.ts';
import { checkLogin, type LoginProof } from './login-check.ts';
import { assertKeyProof, keyProofVerifies } from './key-proof-check.ts';
import { onlineCount } from '../chat/membership.ts';
import type { NameClaims } from '../cluster/name-claims.ts';

const MAX_PASSWORD_LENGTH = 1024;

/**
 * On a cluster, a guest's name is claimed across the nodes (cluster/name-claims.ts): two guests on
 * two nodes cannot take one name. An automatic name another node's guest holds moves on to the
 * next number; a chosen one is refused.
 */
async function claimGuestName(server: ServerContext, claims: NameClaims, guest: { id: string; name: string; automatic: boolean }): Promise<string> {
  let name = guest.name;
  for (let tries = 0; tries < 20; tries++) {
    if (await claims.claim(nameKey(name), guest.id)) return name;
    if (!guest.automatic) break;
    name = server.users.nextGuestName();
  }
  throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
}

async function releaseGuestName(server: ServerContext, claims: NameClaims, claim: { key: string; userId: string }): Promise<void> {
  await claims.release(claim.key, claim.userId).catch((err: unknown) => server.log.warn({ err }, 'releasing a name claim failed; its lease runs out'));
}

async function assertNameFree(server: ServerContext, name: string): Promise<void> {
  if (server.users.isTaken(name) || server.cluster?.roster.findByName(name) || (await server.store.findAccount(nameKey(name)))) {
    throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
  }
}

/** Server bans by name, address or login key, checked at every login (live sessions: moderation/enforce.ts). */
function checkNotBanned(server: ServerContext, session: Session, who: { name: string; key?: string | undefined }): void {
  const ban = server.moderation.bans.matchServer({ ip: session.transport.remoteAddress, account: nameKey(who.name), ...(who.key === undefined ? {} : { key: who.key }) });
  if (ban) throw new ParleyError('BANNED', `You are banned from this server${ban.reason ? `: ${ban.reason}` : ''}`);
}

/** The first account of a fresh server becomes its owner (moderation.first_account_owner). */
async function maybeFirstOwner(server: ServerContext, accountId: number, name: string): Promise<void> {
  if (!server.config.moderation.first_account_owner || (await server.store.countAccounts()) !== 1) return;
  if ((await server.store.listServerRoles()).some((r) => r.role === 'owner')) return;
  await server.store.setServerRole(accountId, 'owner', 'server');
  await server.moderation.load();
  server.cluster?.moderationChanged();
  await audit(server, { actor: 'server', action: 'role.grant', target: name, detail: 'owner (first account)' });
}

async function welcome(server: ServerContext, session: Session, { candidate, device }: { candidate: User; device?: DeviceStep }): Promise<Omit<CommandResult, 'data'> & { data: LoginData }> {
  const { signedIn, grant } = await signInWithDevice(server, session, { step: device, signIn: () => signIn(server, session, candidate) });
  const { user, rooms } = signedIn;
  const roomNames = rooms.map((room) => room.name);
  const where = roomNames.length > 0 ? `you are in ${roomNames.join(' ')}` : 'you are in no room yet';
  return {
    data: {
      name: user.name,
      id: user.id,
      // Unique across a federation, so another server's members can tell this user's certificates from its own users'.
      ...(server.federation ? { e2e_id: `${user.id}@${server.federation.identity.id}` } : {}),
      kind: user.kind,
      rooms: rooms.map((room) => ({ ...room.summary(onlineCount(server, room)), ...(isMuted(room, user) ? { muted: true as const } : {}) })),
      ...(grant ? { device: grant } : {}),
    },
    text: `OK welcome ${user.name} (${user.kind}); ${where}. Type HELP for commands.`,
    after: async () => {
      // Text-mode users never see the hello reply that carries the MOTD.
      if (server.config.motd) session.deliver(new OutboundEvent({ ev: 'notice', text: server.config.motd }));
      await deliverPending(server, session, user);
    },
  };
}

/**
 * Whether a `hello` asking for compression gets it: never in text mode; a refusal (the server
 * does not allow it, or a WebSocket that did not negotiate permessage-deflate) is a reply
 * without `compress`, not an error, so a client falls back to an uncompressed connection.
 */
function compressionAllowed(server: ServerContext, session: Session): boolean {
  return server.config.limits.compression && !session.isText && session.transport.canCompress?.() === true;
}

export const identityCommands: CommandFamily<'hello' | 'guest' | 'register' | 'login' | 'nick' | 'quit' | 'ping' | 'pong'> = {
  hello: {
    summary: 'Start a structured session: {"cmd":"hello","v":1}',
    auth: 'any',
    rate: 'none',
    handle({ server, session }, { v, compress }) {
      if (v !== PROTOCOL_VERSION) {
        throw new ParleyError('UNSUPPORTED_VERSION', `This server speaks protocol v${PROTOCOL_VERSION}, not v${v}`);
      }
      // The switch point is defined by the hello exchange (docs/protocol.md), so only the first one may ask.
      if (compress !== undefined && session.helloDone && !session.isText) {
        throw new ParleyError('BAD_ARGUMENTS', 'hello: compress is asked for in the first hello only; this connection keeps what that one settled');
      }
      const compressing = compress === 'deflate' && compressionAllowed(server, session);
      session.markHelloDone();
      const { limits } = server.config;
      return {
        // Only after the reply is queued: it is the last frame sent uncompressed.
        ...(compressing ? { after: () => session.startCompression() } : {}),
        data: {
          server: server.config.server_name,
          version: server.version,
          protocol: PROTOCOL_VERSION,
          motd: server.config.motd,
          ...(compressing ? { compress: 'deflate' as const } : {}),
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
      let chosen = name === undefined ? server.users.nextGuestName() : validateUserName(name);
      checkNotBanned(server, session, { name: chosen });
      const ip = normalizeIp(session.transport.remoteAddress);
      const wait = server.moderation.isExempt(ip) ? 0 : server.moderation.guests.take(ip);
      if (wait > 0) throw new ParleyError('RATE_LIMITED', 'Too many guest logins from your address', { retryAfterMs: wait });
      if (name !== undefined) await assertNameFree(server, chosen);
      const id = server.users.newGuestId();
      if (server.claims) chosen = await claimGuestName(server, server.claims, { id, name: chosen, automatic: name === undefined });
      const { messages_per_minute: perMinute, message_burst: burst } = server.config.limits;
      try {
        return await welcome(server, session, { candidate: new User({ id, name: chosen, accountId: undefined, rate: { perMinute, burst } }) });
      } catch (error) {
        if (server.claims) void releaseGuestName(server, server.claims, { key: nameKey(chosen), userId: id });
        throw error;
      }
    },
  },
  register: {
    summary: 'Create an account with a password, or with a key (sign a CHALLENGE), and log in',
    auth: 'anonymous',
    rate: 'none',
    async handle({ server, session }, { name: rawName, password, key, signature, remember }) {
      const name = validateUserName(rawName);
      const { min_password_length: min, password_hash: algorithm } = server.config.accounts;
      if (key !== undefined) {
        assertKeyProof(server, session, { purpose: 'register', name, key, signature: signature ?? '' });
      } else if (password === undefined || [...password].length < min || password.length > MAX_PASSWORD_LENGTH) {
        throw new ParleyError('PASSWORD_INVALID', `Passwords are ${min} to ${MAX_PASSWORD_LENGTH} characters`);
      }
      checkNotBanned(server, session, { name, key });
      await assertNameFree(server, name);
      if (key !== undefined && (await server.store.keys.find(key))) throw new ParleyError('KEY_TAKEN', 'That key signs in to another account already');
      // Held from the check until the account exists, so no guest can claim it while we hash.
      const release = server.users.reserve(name);
      if (!release) throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
      let account;
      try {
        // An account that is a key pair has no password: the empty hash matches none.
        const passwordHash = password === undefined ? '' : await hashPassword(password, algorithm);
        account = await server.store.createAccount({ name, nameKey: nameKey(name), passwordHash }).catch((error: unknown) => {
          if (error instanceof StoreError && error.code === 'conflict') throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
          throw error;
        });
        if (key !== undefined) {
          // Only the key's holder can race itself here (it signed both): the loser's account keeps the name without a way in.
          await server.store.keys.add({ accountId: account.id, key, label: 'registered with', at: Date.now() }).catch((error: unknown) => {
            if (error instanceof StoreError && error.code === 'conflict') throw new ParleyError('KEY_TAKEN', 'That key signs in to another account already');
            throw error;
          });
          session.usesKey(key);
        }
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
      const candidate = new User({ id: accountUserId(account.id), name: account.name, accountId: account.id, rate: { perMinute, burst } });
      return welcome(server, session, { candidate, ...(remember === undefined ? {} : { device: { issue: remember, accountId: account.id } }) });
    },
  },
  login: {
    summary: 'Log in to an account with its password, a device token, or a key signing a CHALLENGE (several connections may share one account)',
    auth: 'anonymous',
    rate: 'none',
    async handle({ server, session }, { name, password, token, key, signature, remember }) {
      // The schema lets exactly one of the three through.
      const proof: LoginProof =
        key !== undefined ? { key, signed: keyProofVerifies(server, session, { purpose: 'login', name, key, signature: signature ?? '' }) } : token === undefined ? { password: password ?? '' } : { token };
      const { account, device } = await checkLogin(server, session, { name, proof });
      checkNotBanned(server, session, { name: account.name, key });
      if (key !== undefined) {
        session.usesKey(key);
        // Bookkeeping: a disk that cannot take it does not stop a login, which only reads.
        server.store.keys.touch(key, Date.now()).catch((err: unknown) => server.log.warn({ err }, 'could not record a key login'));
      }
      const { messages_per_minute: perMinute, message_burst: burst } = server.config.limits;
      const candidate = server.users.get(accountUserId(account.id)) ?? new User({ id: accountUserId(account.id), name: account.name, accountId: account.id, rate: { perMinute, burst } });
      const step: DeviceStep = device ? { use: device } : remember === undefined ? undefined : { issue: remember, accountId: account.id };
      return welcome(server, session, { candidate, device: step });
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
      const { claims } = ctx.server;
      if (claims && nameKey(name) !== user.key && !(await claims.claim(nameKey(name), user.id))) throw new ParleyError('NAME_TAKEN', `The name ${name} is taken`);
      const oldKey = user.key;
      ctx.server.users.rename(user, name);
      if (claims && oldKey !== user.key) void releaseGuestName(ctx.server, claims, { key: oldKey, userId: user.id });
      ctx.server.cluster?.userChanged(user);
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
