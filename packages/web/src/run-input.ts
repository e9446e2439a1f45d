import type { ChatStore } from './chat-store.ts';
import { byName, type Conversation } from './conversation.ts';
import { permissionsOf } from './permissions.ts';
import { describeModes } from './room-modes.ts';
import { SLASH_HELP, type SlashCommand } from './slash-commands.ts';

/**
 * Runs one parsed input for the conversation it was typed in. Throws what the person should
 * read (the store shows it as a notice in that conversation).
 */
export async function runInput(store: ChatStore, command: SlashCommand, conv: Conversation | undefined): Promise<void> {
  const here = conv ?? store.everyone();
  switch (command.cmd) {
    case 'say':
      if (!conv) throw new Error('Join a room first: /join #general');
      if (!conv.joined) throw new Error(`You are not in ${conv.target}; /join ${conv.target} to write here`);
      return store.send(conv, command.text);
    case 'msg': {
      const target = store.dm(command.to);
      store.activate(target.key);
      return store.send(target, command.text);
    }
    case 'query':
      return store.activate(store.dm(command.to).key);
    case 'join':
      return store.join(command.room);
    case 'leave': {
      const name = command.room ?? (conv?.kind === 'room' ? conv.target : undefined);
      if (!name) throw new Error('Usage: /leave #room');
      return store.leave(name);
    }
    case 'nick':
      // The server tells every connection of ours with a `nick` event; the store renames there.
      await store.client.request('nick', { name: command.name });
      return;
    case 'topic': {
      if (here.kind !== 'room') throw new Error('/topic works in a room');
      const reply = await store.client.request('topic', { room: here.target, ...(command.topic === undefined ? {} : { topic: command.topic }) });
      here.topic = reply.topic;
      if (command.topic !== undefined) store.notice(here, reply.topic ? `You set the topic: ${reply.topic}` : 'You cleared the topic');
      else store.notice(here, reply.topic ? `Topic: ${reply.topic}` : 'No topic is set');
      return;
    }
    case 'away':
    case 'back':
      return store.setAway(command.cmd === 'away');
    case 'who': {
      if (here.kind !== 'room') throw new Error('/who works in a room');
      const { members } = await store.client.request('who', { room: here.target });
      here.members = [...members].sort(byName);
      store.notice(here, `${members.length} here: ${members.map((m) => (m.status === 'away' ? `${m.name} (away)` : m.name)).join(', ')}`);
      return;
    }
    case 'rooms': {
      const { rooms } = await store.client.request('rooms', {});
      const list = rooms.map((r) => `${r.name} (${r.members})${r.topic ? ` ${r.topic}` : ''}`).join(' · ');
      store.notice(here, rooms.length ? `Rooms: ${list}` : 'No rooms yet');
      return;
    }
    case 'help':
      store.notice(here, ['Commands:', ...SLASH_HELP.map(([usage, summary]) => `${usage}: ${summary}`), 'Enter sends, Shift+Enter starts a new line.'].join('\n'));
      return;
    case 'oper': {
      const { role } = await store.client.request('oper', { password: command.password });
      permissionsOf(store).noteOper(role);
      store.notice(here, `You are now ${role === 'owner' ? 'the owner' : 'an operator'} on this connection: kick and ban are in each member's actions menu.`);
      return;
    }
    case 'mute': {
      const room = roomOf(here, '/mute');
      const { reason } = command;
      await store.client.request('mute', { room, name: command.name, ...(reason ? { reason } : {}) });
      store.notice(here, `You muted ${command.name} in ${room}${reason ? `: ${reason}` : ''}`);
      store.refreshMembers(room);
      return;
    }
    case 'unmute': {
      const room = roomOf(here, '/unmute');
      await store.client.request('unmute', { room, name: command.name });
      store.notice(here, `You unmuted ${command.name} in ${room}`);
      store.refreshMembers(room);
      return;
    }
    case 'invite': {
      const room = roomOf(here, '/invite');
      await store.client.request('invite', { room, name: command.name });
      store.notice(here, `You invited ${command.name} to ${room}`);
      return;
    }
    case 'mode': {
      const room = roomOf(here, '/mode');
      const { modes } = await store.client.request('mode', { room, ...command.changes });
      const changed = Object.keys(command.changes).length > 0;
      store.notice(here, `${changed ? 'You set the modes of' : 'Modes of'} ${room}: ${describeModes(modes)}`);
      return;
    }
    case 'invalid':
      throw new Error(command.message);
  }
}

/** The room a room-scoped command was typed in; the server checks the role there. */
function roomOf(conv: Conversation, usage: string): string {
  if (conv.kind !== 'room') throw new Error(`${usage} works in a room`);
  return conv.target;
}
