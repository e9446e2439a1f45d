import { ParleyError, parseDuration, type BanInfo } from '@parley/protocol';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';
import { escapeText } from '../core/text-lines.ts';
import { audit } from '../moderation/audit.ts';
import { BanSet } from '../moderation/ban-set.ts';
import { normalizeIp, parseBanTarget, type BanTarget } from '../moderation/ban-target.ts';
import { enforceBans, subjectOf } from '../moderation/enforce.ts';
import { SERVER_SCOPE, type BanRecord } from '../store/store.ts';
import type { CommandContext, CommandSpec } from './command.ts';
import { loggedIn } from './command.ts';
import { assertOutranks, findNamedUser, namedOnline } from './targets.ts';

/**
 * Past the JavaScript Date range (8.64e15 ms) an expiry cannot be shown; such a ban, stored
 * before durations were bounded, is permanent in all but name and is listed as permanent.
 */
const LAST_DATE_MS = 8.64e15;

export function banInfo(ban: BanRecord): BanInfo {
  const expires = ban.expiresAt === null || ban.expiresAt >= LAST_DATE_MS ? null : ban.expiresAt;
  return { scope: ban.scope, kind: ban.kind, target: ban.value, reason: ban.reason, by: ban.createdBy, at: ban.createdAt, expires };
}

const untilText = (expires: number | null) => (expires === null ? 'permanent' : `until ${new Date(expires).toISOString()}`);

export function banLine(ban: BanInfo): string {
  return `BAN ${ban.scope} ${ban.kind} ${ban.target} by ${ban.by} at ${new Date(ban.at).toISOString()} ${untilText(ban.expires)}${ban.reason ? ` ${escapeText(ban.reason)}` : ''}`;
}

/**
 * Refuses a ban that would reach anyone the actor may not act on: by any kind (name, address,
 * range, key), nobody may ban someone of equal or higher rank, and nobody bans themselves. Only
 * online users can be checked by address; offline accounts are checked by name.
 */
function assertReachable(ctx: CommandContext, targets: readonly BanTarget[], room: Room | undefined): void {
  const probe = new BanSet(targets.map((t, i) => ({ id: i, scope: room?.key ?? SERVER_SCOPE, kind: t.kind, value: t.value, reason: '', createdBy: '', createdAt: 0, expiresAt: null })));
  const scope = room?.key ?? SERVER_SCOPE;
  if (probe.match(scope, { ip: ctx.session.transport.remoteAddress })) throw new ParleyError('FORBIDDEN', 'That ban would include your own address');
  const hit = new Set<User>();
  for (const session of ctx.server.sessions) {
    if (session.user && probe.match(scope, subjectOf(session))) hit.add(session.user);
  }
  for (const user of hit) {
    try {
      assertOutranks(ctx, namedOnline(ctx.server, user), room);
    } catch (error) {
      if (!(error instanceof ParleyError)) throw error;
      throw new ParleyError('FORBIDDEN', `That ban would also reach ${user.name}: ${error.message}`);
    }
  }
}

/** The addresses a named user's connections come from, minus exempt ones (a proxy, this machine), which stand for many people. */
function addressesOf(ctx: CommandContext, user: User | undefined): { banned: string[]; skipped: string[] } {
  const all = [...new Set([...(user?.sessions ?? [])].map((s) => normalizeIp(s.transport.remoteAddress)))];
  const skipped = all.filter((ip) => ctx.server.moderation.isExempt(ip));
  return { banned: all.filter((ip) => !skipped.includes(ip)), skipped };
}

export const banCommand: CommandSpec<'ban'> = {
  summary: 'Ban an account, IP address, CIDR or key (key:<fingerprint>) from the server or a room, optionally for a time; a name can take its addresses along',
  auth: 'user',
  role: 'operator',
  roomRole: 'moderator',
  rate: 'none',
  async handle(ctx, { target: rawTarget, room: roomName, duration, reason, addresses }) {
    const { server } = ctx;
    const actor = loggedIn(ctx);
    const room = roomName === undefined ? undefined : server.rooms.require(roomName);
    const target = parseBanTarget(rawTarget);
    const named = target.kind === 'account' ? await findNamedUser(server, rawTarget).catch(() => undefined) : undefined;
    if (named) assertOutranks(ctx, named, room);
    const reach = addresses && target.kind === 'account' ? addressesOf(ctx, named?.online) : { banned: [], skipped: [] };
    const targets: BanTarget[] = [target, ...reach.banned.map((ip) => ({ kind: 'ip' as const, value: ip }))];
    assertReachable(ctx, targets, room);
    const durationMs = parseDuration(duration);
    const expiresAt = durationMs === null ? null : Date.now() + durationMs;
    const stored: BanRecord[] = [];
    for (const { kind, value } of targets) {
      stored.push(await server.store.addBan({ scope: room?.key ?? SERVER_SCOPE, kind, value, reason: reason ?? '', createdBy: actor.name, expiresAt }));
    }
    await server.moderation.load();
    server.cluster?.moderationChanged();
    const disconnected = await enforceBans(server);
    for (const ban of stored) {
      await audit(server, { actor: actor.name, action: 'ban', target: `${ban.scope} ${ban.kind} ${ban.value}`, detail: { reason: ban.reason, expires: ban.expiresAt } });
    }
    const [info, ...also] = stored.map(banInfo) as [BanInfo, ...BanInfo[]];
    const extra = [...also.map((b) => ` +ip ${b.target}`), ...reach.skipped.map((ip) => ` (not ${ip}: exempt)`)].join('');
    return {
      data: { ...info, disconnected, addresses: also, skipped: reach.skipped },
      text: `OK BAN ${info.scope} ${info.kind} ${info.target} ${untilText(info.expires)}${extra}`,
    };
  },
};
