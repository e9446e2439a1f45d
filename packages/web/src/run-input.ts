import { replyLines } from '@parley/client';
import type { CommandLine, ReplyData } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import { byName, type Conversation } from './conversation.ts';
import { permissionsOf } from './permissions.ts';
import { describeModes } from './room-modes.ts';
import { withReason } from './describe-notice.ts';
import { t } from './i18n/index.ts';
import type { WebInput } from './slash-commands.ts';
import { moderationSentence, showOlder } from './typed-results.ts';

/**
 * Runs one parsed input for the conversation it was typed in. Throws what the person should
 * read (the store shows it as a notice in that conversation).
 */
export async function runInput(store: ChatStore, input: WebInput, conv: Conversation | undefined): Promise<void> {
  const here = conv ?? store.everyone();
  switch (input.kind) {
    case 'say':
      if (!conv) throw new Error(t('input.joinFirst'));
      if (!conv.joined) throw new Error(t('input.notInRoom', { room: conv.target }));
      return store.send(conv, input.text);
    case 'query':
      return store.activate(store.dm(input.to).key);
    case 'close':
      if (conv?.kind !== 'dm') throw new Error(t('input.closeNotDm'));
      return store.closeConversation(conv);
    case 'help':
      // The composer opens the help panel itself; nothing reaches the conversation.
      return;
    case 'invalid':
      throw new Error(input.message);
    case 'command':
      return runCommand(store, input.line, here);
  }
}

/** A server command: the ones with a place in the UI get it; the rest show the reply as a notice. */
async function runCommand(store: ChatStore, line: CommandLine, here: Conversation): Promise<void> {
  const args = line.args;
  switch (line.verb) {
    case 'send': {
      const to = Array.isArray(args.to) ? (args.to as string[]) : [String(args.to)];
      if (to.length !== 1) break;
      // One target: show it where it belongs, as sending, like a typed message.
      const target = to[0] === 'ALL' ? store.everyone() : to[0]!.startsWith('#') ? store.room(to[0]!) : store.dm(to[0]!);
      store.activate(target.key);
      return store.send(target, String(args.text), { ...(args.kind === 'action' ? { kind: 'action' as const } : {}), from: here });
    }
    case 'history':
      // The conversation in view pages back in place, as scrolling up does; another one's history is listed.
      if (args.with !== here.target) break;
      return showOlder(store, here, typeof args.limit === 'number' ? args.limit : undefined);
    case 'userinfo':
      return store.openPanel({ kind: 'userinfo', name: String(args.name) });
    case 'join':
      return store.join(String(args.room), args.password === undefined ? undefined : String(args.password));
    case 'part':
      return store.leave(String(args.room));
    case 'presence':
      return store.setAway(args.status === 'away');
    case 'nick':
      // The server tells every connection of ours with a `nick` event; the store renames there.
      await store.client.request('nick', { name: String(args.name) });
      return;
    case 'listbans':
      // A list to act on (each ban has a Lift button), not lines of text.
      store.openPanel({ kind: 'bans', room: typeof args.room === 'string' ? args.room : undefined });
      return;
    case 'devices':
      // Like /listbans: devices to revoke, each with its button.
      store.openPanel({ kind: 'devices', name: typeof args.name === 'string' ? args.name : undefined });
      return;
    case 'oper': {
      const { role } = await store.client.request('oper', { password: String(args.password) });
      permissionsOf(store).noteOper(role);
      store.notice(here, t(role === 'owner' ? 'oper.owner' : 'oper.operator'));
      return;
    }
    default:
      break;
  }
  const { verb, data } = await store.client.runLine(line);
  const room = typeof args.room === 'string' ? args.room : undefined;
  switch (verb) {
    case 'create':
      store.entered(data as ReplyData['create']);
      return;
    case 'topic': {
      const reply = data as ReplyData['topic'];
      const target = store.room(reply.room);
      target.topic = reply.topic;
      if (args.topic !== undefined) store.notice(target, reply.topic ? t('topic.youSet', { topic: reply.topic }) : t('topic.youCleared'));
      else store.notice(target, reply.topic ? t('topic.is', { topic: reply.topic }) : t('topic.notSet'));
      return;
    }
    case 'who': {
      const { room: name, members } = data as ReplyData['who'];
      const target = store.room(name);
      target.members = [...members].sort(byName);
      const names = members.map((m) => (m.status === 'away' ? t('who.away', { name: m.name }) : m.name)).join(', ');
      store.notice(target, t('who.here', { count: members.length, names }));
      return;
    }
    case 'mute':
    case 'unmute': {
      const { name, room: where } = data as ReplyData['mute'];
      const reason = typeof args.reason === 'string' ? args.reason : '';
      store.notice(here, verb === 'mute' ? withReason(t('mod.youMuted', { name, room: where }), reason) : t('mod.youUnmuted', { name, room: where }));
      store.refreshMembers(where);
      return;
    }
    case 'invite': {
      const { name, room: where } = data as ReplyData['invite'];
      store.notice(here, t('mod.youInvited', { name, room: where }));
      return;
    }
    case 'mode': {
      const { room: where, modes } = data as ReplyData['mode'];
      store.e2e.noteModes(where, modes);
      const changed = Object.keys(args).some((key) => key !== 'room');
      store.notice(here, t(changed ? 'mode.youSet' : 'mode.are', { room: where, modes: describeModes(modes) }));
      return;
    }
    case 'kick':
    case 'ban':
      store.notice(here, moderationSentence(line, data as ReplyData['kick'] | ReplyData['ban']));
      if (room) store.refreshMembers(room);
      return;
    default:
      store.notice(here, replyLines(verb, data as never).join('\n'));
      // A kick, ban or role change alters the member list; no event tells a moderator of every one.
      if (room) store.refreshMembers(room);
  }
}

