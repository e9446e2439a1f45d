import type { BanInfo, ReplyData, RoomModes, UserInfo, Verb } from '@parley/protocol';

/**
 * A command's reply as lines a person reads, for clients that run typed commands (the web
 * client, `parley chat` and its terminal UI): one wording everywhere, from the structured reply.
 */
const iso = (ms: number) => new Date(ms).toISOString();
const until = (expires: number | null) => (expires === null ? 'permanent' : `until ${iso(expires)}`);

export function describeModes(modes: RoomModes): string {
  const on = [modes.inviteOnly && 'invite-only (+i)', modes.moderated && 'moderated (+m)', modes.topicLock && 'topic lock (+t)', modes.password && 'password (+k)', modes.encrypted && 'end-to-end encrypted (+E)'].filter(
    (label): label is string => typeof label === 'string',
  );
  return on.length > 0 ? on.join(', ') : 'none';
}

export function userInfoLines(info: UserInfo): string[] {
  const lines = [`${info.name}: ${info.kind}, role ${info.role}, ${info.online ? 'online' : 'offline'}${info.created ? `, account since ${iso(info.created)}` : ''}`];
  for (const s of info.sessions) lines.push(`  connection ${s.id} over ${s.transport} since ${iso(s.since)}${s.ip ? ` from ${s.ip}` : ''}`);
  lines.push(`  rooms: ${info.rooms.length === 0 ? 'none' : info.rooms.map((r) => (r.role === 'member' ? r.name : `${r.name} (${r.role})`)).join(', ')}`);
  return lines;
}

const banLine = (b: BanInfo) => `ban ${b.scope} ${b.kind} ${b.target} by ${b.by} at ${iso(b.at)}, ${until(b.expires)}${b.reason ? `: ${b.reason}` : ''}`;

function banLines(ban: ReplyData['ban']): string[] {
  const scope = ban.scope === 'server' ? 'the server' : ban.scope;
  const also = ban.addresses.length > 0 ? ` and address${ban.addresses.length > 1 ? 'es' : ''} ${ban.addresses.map((b) => b.target).join(', ')}` : '';
  const lines = [`banned ${ban.kind} ${ban.target}${also} from ${scope}, ${until(ban.expires)}${ban.disconnected > 0 ? ` (${ban.disconnected} disconnected)` : ''}`];
  if (ban.skipped.length > 0) lines.push(`  not banned: ${ban.skipped.join(', ')} (exempt addresses, shared by many)`);
  return lines;
}

const hostPort = ({ host, port }: { host: string; port: number }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

function peerLines({ id, name, peers, dialing }: ReplyData['peers']): string[] {
  const lines = [`this server: ${name} ${id}`];
  if (peers.length === 0 && dialing.length === 0) lines.push('no other server known yet');
  for (const p of peers) {
    const at = p.addresses.length > 0 ? ` at ${p.addresses.join(', ')}` : '';
    const route = p.linked ? 'linked' : `not linked${p.hops === undefined ? '' : ` (reached through others, ${p.hops} hops)`}`;
    lines.push(`${p.name} ${p.id}: ${route}, last seen ${iso(p.lastSeen)}${at}${p.denied ? ', denied' : ''}`);
  }
  for (const t of dialing) lines.push(`dialing ${hostPort(t)}${t.id ? ` (${t.id})` : ''}, no link yet`);
  return lines;
}

/** The lines for a reply of `verb`; a verb with nothing worth saying gets one short confirmation. */
export function replyLines<TVerb extends Verb>(verb: TVerb, reply: ReplyData[TVerb]): string[] {
  // One cast: the switch below narrows `verb`, and TypeScript cannot carry that over to `reply`.
  const data = reply as ReplyData[Verb] as never;
  switch (verb) {
    case 'oper':
      return [`you are now ${(data as ReplyData['oper']).role} on this connection`];
    case 'userinfo':
      return userInfoLines(data);
    case 'serverinfo': {
      const info = data as ReplyData['serverinfo'];
      return [`${info.name} ${info.version}: up ${info.uptimeSeconds} s, ${info.usersOnline} online on ${info.connections} connection(s), ${info.rooms} rooms, ${info.accounts} accounts`, `  listening on ${info.listeners.join(' ')}`];
    }
    case 'kick': {
      const kick = data as ReplyData['kick'];
      return [kick.room ? `kicked ${kick.name} from ${kick.room}` : `kicked ${kick.name} (${kick.sessions} connection(s) closed)`];
    }
    case 'ban':
      return banLines(data);
    case 'unban': {
      const unban = data as ReplyData['unban'];
      return [`lifted the ban on ${unban.kind} ${unban.target} (${unban.scope})`];
    }
    case 'listbans': {
      const { bans } = data as ReplyData['listbans'];
      return bans.length === 0 ? ['no bans in force'] : bans.map(banLine);
    }
    case 'broadcast':
      return [`broadcast sent to ${(data as ReplyData['broadcast']).recipients} connection(s)`];
    case 'mute':
    case 'unmute': {
      const mute = data as ReplyData['mute'];
      return [`${verb === 'mute' ? 'muted' : 'unmuted'} ${mute.name} in ${mute.room}`];
    }
    case 'invite': {
      const invite = data as ReplyData['invite'];
      return [`invited ${invite.name} to ${invite.room}`];
    }
    case 'mode': {
      const { room, modes } = data as ReplyData['mode'];
      return [`${room} modes: ${describeModes(modes)}`];
    }
    case 'roomrole': {
      const r = data as ReplyData['roomrole'];
      return [`${r.name} is now ${r.role} of ${r.room}`];
    }
    case 'grant': {
      const g = data as ReplyData['grant'];
      return [`${g.name} is now ${g.role}`];
    }
    case 'disable':
    case 'enable': {
      const d = data as ReplyData['disable'];
      return [`${d.command} ${verb}d; disabled now: ${d.disabled.length > 0 ? d.disabled.join(' ') : 'none'}`];
    }
    case 'audit':
      return (data as ReplyData['audit']).entries.map((e) => `${e.id} ${iso(e.at)} ${e.actor} ${e.action} ${e.target} ${e.detail}`.trimEnd());
    case 'peers':
      return peerLines(data);
    case 'connect':
      return [`dialing ${hostPort(data as ReplyData['connect'])}; the link comes up in the background (see /peers)`];
    case 'disconnect': {
      const d = data as ReplyData['disconnect'];
      return [`disconnected from ${d.name} (${d.id}); it is no longer dialed`];
    }
    case 'devices': {
      const { name, devices } = data as ReplyData['devices'];
      if (devices.length === 0) return [`${name} has no devices that stay signed in`];
      return devices.map((d) => `device ${d.id} ${d.label}${d.current ? ' (this device)' : ''}: since ${iso(d.created)}, last used ${iso(d.lastUsed)} from ${d.lastAddress}`);
    }
    case 'revoke': {
      const r = data as ReplyData['revoke'];
      return [`signed out device ${r.id} (${r.label}) of ${r.name}${r.sessions > 0 ? `, ${r.sessions} connection(s) closed` : ''}`];
    }
    case 'list': {
      const { users, counts } = data as ReplyData['list'];
      return [`${counts.online} online (${counts.accounts} accounts, ${counts.guests} guests): ${users.map((u) => (u.status === 'online' ? u.name : `${u.name} (${u.status})`)).join(', ')}`];
    }
    case 'rooms': {
      const { rooms } = data as ReplyData['rooms'];
      return [rooms.length === 0 ? 'no rooms yet' : `rooms: ${rooms.map((r) => `${r.name} (${r.members})${r.topic ? ` ${r.topic}` : ''}`).join(' · ')}`];
    }
    case 'who': {
      const { room, members } = data as ReplyData['who'];
      return [`${room}: ${members.map((m) => (m.status === 'online' ? m.name : `${m.name} (${m.status})`)).join(', ')}`];
    }
    case 'topic': {
      const { room, topic } = data as ReplyData['topic'];
      return [topic ? `${room} topic: ${topic}` : `${room} has no topic`];
    }
    case 'create':
    case 'join': {
      const room = data as ReplyData['join'];
      return [`${verb === 'create' ? 'created and joined' : 'joined'} ${room.name} (${room.members} online)${room.topic ? `, topic: ${room.topic}` : ''}`];
    }
    case 'part':
    case 'delete':
      return [`${verb === 'part' ? 'left' : 'deleted'} ${(data as ReplyData['part']).room}`];
    case 'nick':
      return [`you are now ${(data as ReplyData['nick']).name}`];
    case 'presence':
      return [`you are ${(data as ReplyData['presence']).status}`];
    case 'history':
      return (data as ReplyData['history']).messages.map((m) => `${iso(m.ts)} [${m.to}] ${m.from}: ${m.text.replace(/\r?\n/g, ' ')}`);
    case 'conversations': {
      const { conversations } = data as ReplyData['conversations'];
      return conversations.length === 0 ? ['no direct conversations yet'] : conversations.map((c) => `${c.with}${c.kind === 'guest' ? ' (guest)' : ''}: ${c.lastSeq} message(s), the last at ${iso(c.lastTs)}`);
    }
    case 'ping':
      return [`pong ${(data as ReplyData['ping']).token}`.trimEnd()];
    default:
      return [`${verb}: done`];
  }
}
