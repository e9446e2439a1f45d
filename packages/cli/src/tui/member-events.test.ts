import { describe, expect, it } from 'vitest';
import { chatReducer, type ChatAction } from './chat-reducer.ts';
import { initialChatState, type ChatState } from './conversations.ts';

const run = (actions: ChatAction[], state: ChatState = initialChatState('alice')) => actions.reduce(chatReducer, state);
const inGeneral = (): ChatState =>
  run([
    { type: 'joined', room: '#general', topic: '' },
    { type: 'joined', room: '#dev', topic: '' },
    { type: 'members', room: '#general', members: [{ name: 'alice', status: 'online', kind: 'guest' }, { name: 'bob', status: 'online', kind: 'guest' }] },
    { type: 'members', room: '#dev', members: [{ name: 'alice', status: 'online', kind: 'guest' }] },
  ]);
const texts = (state: ChatState, key: string) => state.convs[key]!.lines.map((l) => l.text);

describe('people of other servers', () => {
  it('keeps them, known from their joins, across a who that lists this server only, until they leave or a reconnect', () => {
    let state = run([{ type: 'joined', room: '#dev@b.test', topic: '' }, { type: 'member-joined', room: '#dev@b.test', user: 'bob@b.test' }]);
    const local = [{ name: 'alice', status: 'online' as const, kind: 'account' as const }];
    state = run([{ type: 'members', room: '#dev@b.test', members: local }], state);
    expect(state.convs['#dev@b.test']!.members.map((m) => m.name)).toEqual(['alice', 'bob@b.test']);
    expect(run([{ type: 'member-left', room: '#dev@b.test', user: 'bob@b.test' }, { type: 'members', room: '#dev@b.test', members: local }], state).convs['#dev@b.test']!.members.map((m) => m.name)).toEqual(['alice']);
    expect(run([{ type: 'members', room: '#dev@b.test', members: local, reconnected: true }], state).convs['#dev@b.test']!.members.map((m) => m.name)).toEqual(['alice']);
  });
});

describe('what I do myself', () => {
  it('says my rename once, in the conversation on screen, whether the reply or the event comes first', () => {
    for (const order of [
      [{ type: 'identity', me: 'al' }, { type: 'nick', old: 'alice', new: 'al' }],
      [{ type: 'nick', old: 'alice', new: 'al' }, { type: 'identity', me: 'al' }],
    ] satisfies ChatAction[][]) {
      const state = run(order, inGeneral());
      expect(state.me).toBe('al');
      expect(texts(state, '#dev')).toEqual(['you are now al']);
      expect(texts(state, '#general')).toEqual([]);
      expect(state.convs['#general']!.members.map((m) => m.name)).toEqual(['al', 'bob']);
    }
    // Someone else's rename is said in every room they are in.
    expect(texts(run([{ type: 'nick', old: 'bob', new: 'bert' }], inGeneral()), '#general')).toEqual(['bob is now bert']);
  });

  it('shows a topic I set (or read) in the header without a line; others get a line', () => {
    const state = run([{ type: 'topic', room: '#general', topic: 'release day' }], inGeneral());
    expect(state.convs['#general']).toMatchObject({ topic: 'release day', lines: [] });
    expect(texts(run([{ type: 'topic', room: '#general', topic: 'x', by: 'bob' }], state), '#general')).toEqual(['bob set the topic: x']);
  });

  it('marks me away in every member list, with my message, until I am back', () => {
    let state = run([{ type: 'own-presence', status: 'away', message: 'lunch' }], inGeneral());
    expect(state.away).toEqual({ message: 'lunch' });
    expect(state.convs['#general']!.members.map((m) => `${m.name}:${m.status}`)).toEqual(['alice:away', 'bob:online']);
    expect(state.convs['#dev']!.members.map((m) => `${m.name}:${m.status}`)).toEqual(['alice:away']);
    state = run([{ type: 'own-presence', status: 'online' }], state);
    expect(state.away).toBeUndefined();
    expect(state.convs['#general']!.members.map((m) => `${m.name}:${m.status}`)).toEqual(['alice:online', 'bob:online']);
    expect(run([{ type: 'own-presence', status: 'away' }], inGeneral()).away).toEqual({});
  });

  it('says a removal from a room as what happened to me, and to others as a part with who and why', () => {
    let state = run([{ type: 'member-left', room: '#general', user: 'bob', removal: { kind: 'kick', by: 'olga', reason: 'spam' } }], inGeneral());
    expect(texts(state, '#general')).toEqual(['← bob left (kicked by olga: spam)']);
    state = run([{ type: 'member-left', room: '#general', user: 'alice', removal: { kind: 'ban', by: 'olga' } }], state);
    expect(state.convs['#general']!.lines.at(-1)).toMatchObject({ kind: 'error', text: 'You were banned from #general by olga' });
  });

  it('puts a line meant for a room in that room, not the one on screen', () => {
    const state = run([{ type: 'system', text: 'olga muted you in #general: calm down', target: '#general', error: true }], inGeneral());
    expect(state.active).toBe('#dev');
    expect(texts(state, '#general')).toEqual(['olga muted you in #general: calm down']);
    expect(texts(state, '#dev')).toEqual([]);
  });
});
