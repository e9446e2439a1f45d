import { nameKey, ParleyError, type DeviceInfo } from '@parley/protocol';
import { accountUserId } from '../chat/user.ts';
import type { ServerContext } from '../core/context.ts';
import { escapeText } from '../core/text-lines.ts';
import { closeDeviceSessions, revokeDevice } from '../moderation/device-revocation.ts';
import { atLeast } from '../moderation/roles.ts';
import type { DeviceRecord } from '../store/store.ts';
import type { CommandContext, CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';
import { assertOutranks, findNamedUser, namedOnline, type NamedUser } from './targets.ts';

function toInfo(device: DeviceRecord, current: number | undefined): DeviceInfo {
  return {
    id: device.id,
    label: device.label,
    created: device.createdAt,
    lastUsed: device.lastUsedAt,
    lastAddress: device.lastAddress,
    ...(device.id === current ? { current: true as const } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function deviceLine(info: DeviceInfo): string {
  return `DEVICE ${info.id} ${iso(info.created)} ${iso(info.lastUsed)} ${info.lastAddress} ${info.current ? 'this' : '-'} ${escapeText(info.label)}`;
}

/** The account of a device, as the rank rules see it (online or not). */
function deviceOwner(server: ServerContext, device: DeviceRecord): NamedUser {
  const online = server.users.get(accountUserId(device.accountId));
  if (online) return namedOnline(server, online);
  return { name: device.accountName, userId: accountUserId(device.accountId), accountId: device.accountId, online: undefined, role: server.moderation.accountRole(device.accountId) };
}

/**
 * Whose devices a DEVICES means: the caller's own, or (operators only, and only below their
 * rank, as for KICK and BAN) the named account's. Other people's devices show where and when
 * they signed in, which is for the people who moderate the server.
 */
async function listedAccount(ctx: CommandContext, name: string | undefined): Promise<{ accountId: number; name: string }> {
  const user = loggedIn(ctx);
  if (name === undefined || nameKey(name) === user.key) {
    if (user.accountId === undefined) throw new ParleyError('FORBIDDEN', 'Guests have no devices: only accounts stay signed in');
    return { accountId: user.accountId, name: user.name };
  }
  if (!atLeast(ctx.server.moderation.roleOf(ctx.session), 'operator')) throw new ParleyError('FORBIDDEN', "Only server operators can list other people's devices");
  const target = await findNamedUser(ctx.server, name);
  if (target.accountId === undefined) throw new ParleyError('NO_SUCH_USER', `${target.name} is a guest; guests have no devices`);
  assertOutranks(ctx, target);
  return { accountId: target.accountId, name: target.name };
}

/** Device credentials: listing and revoking your own, and (operators) other people's. */
export const deviceCommands: CommandFamily<'devices' | 'revoke'> = {
  devices: {
    summary: 'List the devices that stay signed in to your account (operators: name an account)',
    auth: 'user',
    role: 'user',
    rate: 'none',
    async handle(ctx, { name }) {
      const owner = await listedAccount(ctx, name);
      const devices = (await ctx.server.store.devices.listFor(owner.accountId)).map((device) => toInfo(device, ctx.session.device));
      return { data: { name: owner.name, devices }, text: [...devices.map(deviceLine), `OK DEVICES ${owner.name} ${devices.length}`] };
    },
  },
  revoke: {
    summary: 'Sign a device out: its token stops working and its connections close',
    auth: 'user',
    role: 'user',
    rate: 'none',
    async handle(ctx, { device: id }) {
      const { server, session } = ctx;
      const actor = loggedIn(ctx);
      const device = await server.store.devices.find(id);
      const own = device !== undefined && device.accountId === actor.accountId;
      // Someone else's device is "no such device" to a non-operator: ids say nothing about other accounts.
      if (!device || (!own && !atLeast(server.moderation.roleOf(session), 'operator'))) {
        throw new ParleyError('NO_SUCH_DEVICE', `You have no device ${id}; DEVICES lists yours`);
      }
      if (!own) assertOutranks(ctx, deviceOwner(server, device));
      const { removed, sessions } = await revokeDevice(server, device, { actor: actor.name, action: 'device.revoke' });
      // Revoked by someone else in the same moment: it is gone either way, but not by this command.
      if (!removed) throw new ParleyError('NO_SUCH_DEVICE', `Device ${id} was revoked already`);
      const why = own ? 'This device was signed out from another of your devices' : `An operator (${actor.name}) signed this device out`;
      return {
        data: { id, name: device.accountName, label: device.label, sessions: sessions.length },
        text: `OK REVOKE ${id} ${device.accountName} ${sessions.length}`,
        // After the reply: the connection asking may be one of them (signing itself out).
        after: () => {
          for (const revoked of sessions) closeDeviceSessions([revoked], revoked === session ? 'You signed this device out' : why);
        },
      };
    },
  },
};
