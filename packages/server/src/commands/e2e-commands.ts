import { toBase64Url } from '@parley/e2e';
import type { ReplyData } from '@parley/protocol';
import type { CommandFamily } from './command.ts';
import { actorOf, loggedIn } from './command.ts';
import { assertKeyProof } from './key-proof-check.ts';
import { boundDevice, checkCertificate, directoryEntry, registerDevice, removeDevice, requireDevice } from '../e2e/e2e-devices.ts';
import { acknowledgeWelcome, commitToGroup, createGroup, describeGroup, describePeople, pendingWelcomes, sendEncrypted } from '../e2e/e2e-groups.ts';
import { claimKeyPackages, uploadKeyPackages } from '../e2e/key-package-directory.ts';
import { addTreePart } from '../e2e/tree-parts.ts';

/**
 * End-to-end encryption (docs/protocol.md, "Encryption"): the server as MLS's Delivery Service.
 * Only ESEND draws from the user's message budget: the others are the client's own bookkeeping
 * (a login sets up its device, a send may first commit), still limited per connection.
 * Text mode lists these verbs but a person cannot use them by hand: they carry MLS bytes.
 */
export const e2eCommands: CommandFamily<
  'edevice' | 'edevices' | 'eremovedevice' | 'kpupload' | 'kpclaim' | 'egroup' | 'egroupinfo' | 'emembers' | 'ecommit' | 'etreepart' | 'esend' | 'welcomes' | 'welcomeack'
> = {
  edevice: {
    summary: 'Register this connection as an end-to-end device (its certificate and a proof of its key)',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { certificate: text, signature, reset }) {
      const { server, session } = ctx;
      const user = loggedIn(ctx);
      const certificate = await checkCertificate(server, text, user);
      assertKeyProof(server, session, { purpose: 'edevice', name: user.name, key: toBase64Url(certificate.deviceKey), signature });
      const data = await registerDevice(server, { session, user, certificate, text, reset: reset === true });
      return { data, text: `OK EDEVICE ${data.device_id} ${data.identity_key}${data.first ? ' first' : ''}` };
    },
  },
  edevices: {
    summary: "A user's identity key and end-to-end devices",
    auth: 'user',
    rate: 'none',
    async handle(ctx, { name }) {
      const data = (await ctx.server.federation?.e2e.directory(actorOf(ctx), name)) ?? (await directoryEntry(ctx.server, name));
      const lines = data.devices.map((d) => `EDEVICE ${data.name} ${d.device_id}`);
      return { data, text: [...lines, `OK EDEVICES ${data.name} ${data.identity_key ?? '-'} ${data.devices.length}`] };
    },
  },
  eremovedevice: {
    summary: 'Remove one of your end-to-end devices; your conversations drop it at their next commit',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { device_id }) {
      await removeDevice(ctx.server, loggedIn(ctx), device_id);
      return { data: { device_id }, text: `OK EREMOVEDEVICE ${device_id}` };
    },
  },
  kpupload: {
    summary: "Upload this device's one-time KeyPackages (and its last-resort one)",
    auth: 'user',
    rate: 'none',
    async handle(ctx, { packages, last_resort }) {
      const data = await uploadKeyPackages(ctx.server, requireDevice(ctx.session), { packages, lastResort: last_resort });
      return { data, text: `OK KPUPLOAD ${data.stored} ${data.count}` };
    },
  },
  kpclaim: {
    summary: "Claim one KeyPackage of each of a user's devices, to add them to a group",
    auth: 'user',
    rate: 'none',
    async handle(ctx, args) {
      const { name, device_ids } = args;
      const data =
        (await ctx.server.federation?.e2e.claim(actorOf(ctx), args)) ??
        (await claimKeyPackages(ctx.server, { user: loggedIn(ctx), device: boundDevice(ctx.session) }, { name, deviceIds: device_ids }));
      return { data, text: `OK KPCLAIM ${data.user_id} ${data.packages.length}` };
    },
  },
  egroup: {
    summary: 'Make the encrypted group of a conversation',
    auth: 'user',
    rate: 'none',
    async handle(ctx, args) {
      const relayed = (await ctx.server.federation?.e2e.group(actorOf(ctx), 'egroup', args)) as ReplyData['egroup'] | undefined;
      const data = relayed ?? (await createGroup(actorOf(ctx), args));
      return { data, text: `OK EGROUP ${data.conv} ${data.group} ${data.epoch}` };
    },
  },
  egroupinfo: {
    summary: "A conversation's encrypted group: its epoch and member devices",
    auth: 'user',
    rate: 'none',
    async handle(ctx, { to }) {
      const relayed = (await ctx.server.federation?.e2e.group(actorOf(ctx), 'egroupinfo', { to })) as ReplyData['egroupinfo'] | undefined;
      const data = relayed ?? (await describeGroup(actorOf(ctx), to));
      return { data, text: `OK EGROUPINFO ${data.conv} ${data.group} ${data.epoch} ${data.members.length}` };
    },
  },
  emembers: {
    summary: "Who belongs in a conversation's encrypted group: an encrypted room's members (online or not), a DM's people",
    auth: 'user',
    rate: 'none',
    async handle(ctx, { to }) {
      const relayed = (await ctx.server.federation?.e2e.group(actorOf(ctx), 'emembers', { to })) as ReplyData['emembers'] | undefined;
      const data = relayed ?? (await describePeople(actorOf(ctx), to));
      return { data, text: `OK EMEMBERS ${data.conv} ${data.members.map((m) => m.name).join(' ')}`.trimEnd() };
    },
  },
  ecommit: {
    summary: "Commit a change to a conversation's encrypted group (one commit per epoch wins)",
    auth: 'user',
    rate: 'none',
    async handle(ctx, args) {
      const data = (await ctx.server.federation?.e2e.commit(actorOf(ctx), args)) ?? (await commitToGroup(actorOf(ctx), args));
      return { data, text: `OK ECOMMIT ${data.conv} ${data.seq} ${data.epoch}` };
    },
  },
  etreepart: {
    summary: 'Send part of a ratchet tree too long for one frame, ahead of the ECOMMIT that names it',
    auth: 'user',
    rate: 'none',
    handle(ctx, args) {
      requireDevice(ctx.session);
      addTreePart(ctx.session, args);
      const data = { group: args.group, index: args.index, count: args.count };
      return { data, text: `OK ETREEPART ${args.group} ${args.index}/${args.count}` };
    },
  },
  esend: {
    summary: 'Send an encrypted message (MLS ciphertext) to a conversation',
    auth: 'user',
    rate: 'message',
    async handle(ctx, args) {
      const data = (await ctx.server.federation?.e2e.send(actorOf(ctx), args)) ?? (await sendEncrypted(actorOf(ctx), args));
      return { data, text: `OK ESEND ${data.sent.map((s) => `${s.to}:${s.seq}${s.duplicate ? '(dup)' : ''}`).join(' ')}` };
    },
  },
  welcomes: {
    summary: 'The Welcomes waiting for this device',
    auth: 'user',
    rate: 'none',
    async handle(ctx) {
      const data = await pendingWelcomes(actorOf(ctx));
      return { data, text: [...data.welcomes.map((w) => `WELCOME ${w.conv} ${w.epoch}`), `OK WELCOMES ${data.welcomes.length}`] };
    },
  },
  welcomeack: {
    summary: 'This device joined from a Welcome: forget it',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { group }) {
      const data = await acknowledgeWelcome(actorOf(ctx), group);
      return { data, text: `OK WELCOMEACK ${group}` };
    },
  },
};
