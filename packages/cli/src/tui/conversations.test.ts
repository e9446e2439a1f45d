import type { ChatMessage } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { chatReducer, type ChatAction } from './chat-reducer.ts';
import { MAX_LINES, STATUS_KEY, conversationKey, initialChatState, messageTarget, oldestSeq, startText, type ChatState } from './conversations.ts';

const run = (actions: ChatAction[], state: ChatState = initialChatState('alice')) => actions.reduce(chatReducer, state);
let seq = 0;
const msg = (from: string, to: string, text = 'hi'): ChatMessage => ({ conv: to, seq: ++seq, from, to, text, ts: 1_700_000_000_000 });
const message = (from: string, to: string, text?: string): ChatAction => ({ type: 'message', message: msg(from, to, text) });

describe('conversations', () => {
  it('keys rooms and people case-insensitively and finds the other party of a DM', () => {
    expect(conversationKey('#Dev')).toBe(conversationKey('#dev'));
    expect(conversationKey('Bob')).toBe('@bob');
    expect(messageTarget(msg('bob', 'alice'), 'alice')).toBe('bob');
    expect(messageTarget(msg('Alice', 'bob'), 'alice')).toBe('bob');
    expect(messageTarget(msg('bob', '#dev'), 'alice')).toBe('#dev');
  });

  it('counts unread messages in background conversations and clears them on select', () => {
    const state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'joined', room: '#dev', topic: 'code' }, { type: 'select', index: 0 }, message('bob', '#dev'), message('bob', '#dev'), message('bob', '#general')]);
    expect(state.order).toEqual(['#general', '#dev']);
    expect(state.convs['#dev']!.unread).toBe(2);
    expect(state.convs['#general']!.unread).toBe(0);
    const selected = chatReducer(state, { type: 'select', index: 1 });
    expect(selected.active).toBe('#dev');
    expect(selected.convs['#dev']!.unread).toBe(0);
  });

  it('opens a DM conversation for a new partner, after the rooms, and flags it as a mention', () => {
    const state = run([{ type: 'joined', room: '#general', topic: '' }, message('bob', 'alice', 'psst'), { type: 'joined', room: '#dev', topic: '' }]);
    expect(state.order).toEqual(['#general', '#dev', '@bob']);
    expect(state.convs['@bob']!.mentioned).toBe(true);
    expect(run([message('carol', '#general', 'ALICE: look'), message('carol', '#general', 'malice')], run([{ type: 'joined', room: '#general', topic: '' }, { type: 'open', target: 'bob' }])).convs['#general']!.lines.map((l) => l.mention)).toEqual([true, false]);
  });

  it('ignores a message it already has (same seq)', () => {
    const m = msg('bob', '#general');
    const state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'message', message: m }, { type: 'message', message: m }]);
    expect(state.convs['#general']!.lines).toHaveLength(1);
  });

  it('echoes own sends as pending, then stored or failed', () => {
    let state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'sending', target: '#general', text: 'one', id: 1, ts: 1 }, { type: 'sending', target: 'bob', text: 'two', id: 2, ts: 2 }]);
    expect(state.convs['#general']!.lines[0]).toMatchObject({ from: 'alice', text: 'one', pending: 1 });
    state = run([{ type: 'sent', id: 1, seq: 7 }, { type: 'send-failed', id: 2, reason: 'NO_SUCH_USER' }], state);
    expect(state.convs['#general']!.lines[0]).toEqual({ kind: 'message', ts: 1, from: 'alice', text: 'one', seq: 7 });
    expect(state.convs['@bob']!.lines.map((l) => [l.kind, l.text, l.failed])).toEqual([
      ['message', 'two', true],
      ['error', 'not sent: NO_SUCH_USER', undefined],
    ]);
  });

  it('a send to a room homed elsewhere that the home has not taken waits for it, then takes the seq it commits at', () => {
    let state = run([{ type: 'joined', room: '#dev@b.test', topic: '' }, { type: 'sending', target: '#dev@b.test', text: 'later', id: 3, ts: 1 }]);
    state = run([{ type: 'waiting', id: 3, cmid: 'c3', server: 'b.test' }], state);
    expect(state.convs['#dev@b.test']!.lines[0]).toEqual({ kind: 'message', ts: 1, from: 'alice', text: 'later', waiting: 'b.test', cmid: 'c3' });
    // Another cmid, or another room, is not this one.
    state = run([{ type: 'committed', room: '#dev@b.test', cmid: 'other', seq: 5 }, { type: 'committed', room: '#ops@b.test', cmid: 'c3', seq: 5 }], state);
    expect(state.convs['#dev@b.test']!.lines[0]!.waiting).toBe('b.test');
    state = run([{ type: 'committed', room: '#Dev@b.test', cmid: 'c3', seq: 6 }], state);
    expect(state.convs['#dev@b.test']!.lines).toEqual([{ kind: 'message', ts: 1, from: 'alice', text: 'later', seq: 6 }]);
  });

  it('says the start of a room homed elsewhere is only where this server joined it, unless it is its first message', () => {
    const line = (seq: number) => ({ kind: 'message' as const, ts: 1, text: 'x', seq });
    expect(startText({ kind: 'room', label: '#dev@b.test', lines: [line(4)] })).toBe('start of #dev@b.test here; older messages are on b.test');
    expect(startText({ kind: 'room', label: '#dev@b.test', lines: [line(1)] })).toBe('start of #dev@b.test');
    expect(startText({ kind: 'room', label: '#dev', lines: [line(4)] })).toBe('start of #dev');
    expect(startText({ kind: 'dm', label: 'bob@b.test', lines: [] })).toBe('start of your conversation with bob@b.test');
  });

  it('prepends older history below the oldest seq it shows', () => {
    const live = msg('bob', '#general', 'live');
    const older = [msg('carol', '#general', 'a'), msg('carol', '#general', 'b')];
    live.seq = 10;
    older[0]!.seq = 8;
    older[1]!.seq = 9;
    const state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'message', message: live }, { type: 'history-loading', key: '#general' }, { type: 'history', key: '#general', messages: [...older, live], complete: true }]);
    const conv = state.convs['#general']!;
    expect(conv.lines.map((l) => l.text)).toEqual(['a', 'b', 'live']);
    expect(conv.historyComplete).toBe(true);
    expect(conv.loadingHistory).toBe(false);
    expect(oldestSeq(conv)).toBe(8);
  });

  it('forgets a failed history request so it is asked again', () => {
    const state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'history-loading', key: '#general' }, { type: 'history-failed', key: '#general' }]);
    expect(state.convs['#general']).toMatchObject({ loadingHistory: false, historyRequested: false, historyComplete: false });
  });

  it('keeps at most MAX_LINES lines and then allows loading history again', () => {
    let state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'history', key: '#general', messages: [], complete: true }]);
    for (let i = 0; i < MAX_LINES + 5; i++) state = chatReducer(state, message('bob', '#general', `m${i}`));
    expect(state.convs['#general']!.lines).toHaveLength(MAX_LINES);
    expect(state.convs['#general']!.lines[0]!.text).toBe('m5');
    expect(state.convs['#general']!.historyComplete).toBe(false);
  });

  it('tracks members: who, join, part, presence and nick', () => {
    let state = run([
      { type: 'joined', room: '#general', topic: '' },
      {
        type: 'members',
        room: '#general',
        members: [
          { name: 'zed', status: 'away', kind: 'account' },
          { name: 'bob', status: 'online', kind: 'guest' },
          { name: 'alice', status: 'online', kind: 'account' },
          { name: 'guest7', status: 'online', kind: 'guest' },
        ],
      },
      { type: 'member-joined', room: '#general', user: 'carol' },
      { type: 'presence', user: 'zed', status: 'offline' },
      { type: 'presence', user: 'guest7', status: 'offline' },
      { type: 'member-left', room: '#general', user: 'bob', removal: { reason: 'bye' } },
    ]);
    expect(state.convs['#general']!.members.map((m) => `${m.name}:${m.status}`)).toEqual(['alice:online', 'carol:online', 'zed:offline']);
    state = run([message('carol', 'alice', 'dm'), { type: 'nick', old: 'carol', new: 'caro' }, { type: 'nick', old: 'alice', new: 'al' }], state);
    expect(state.me).toBe('al');
    expect(state.order).toEqual(['#general', '@caro']);
    expect(state.convs['@caro']!.label).toBe('caro');
    expect(state.convs['#general']!.lines.map((l) => l.text)).toEqual(['→ carol joined', '← bob left (bye)', 'carol is now caro', 'you are now al']);
  });

  it('keeps room roles from who and from room_role events', () => {
    let state = run([
      { type: 'joined', room: '#general', topic: '' },
      { type: 'members', room: '#general', members: [{ name: 'alice', status: 'online', kind: 'account', role: 'owner' }, { name: 'bob', status: 'online', kind: 'guest' }] },
      { type: 'member-role', room: '#general', user: 'bob', role: 'moderator', by: 'alice' },
    ]);
    expect(state.convs['#general']!.members.map((m) => `${m.name}:${m.role ?? '-'}`)).toEqual(['alice:owner', 'bob:moderator']);
    state = run([{ type: 'member-role', room: '#general', user: 'bob', role: 'member', by: 'alice' }], state);
    expect(state.convs['#general']!.members.map((m) => `${m.name}:${m.role ?? '-'}`)).toEqual(['alice:owner', 'bob:-']);
    expect(state.convs['#general']!.lines.map((l) => l.text)).toEqual(['alice made bob moderator', 'alice made bob member']);
  });

  it('leaving removes the conversation and selects a neighbour; status lines need no room', () => {
    let state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'joined', room: '#dev', topic: '' }, { type: 'left', room: '#dev' }]);
    expect(state.order).toEqual(['#general']);
    expect(state.active).toBe('#general');
    state = run([{ type: 'left', room: '#general' }, { type: 'system', text: 'not connected', error: true }], state);
    expect(state.order).toEqual([STATUS_KEY]);
    expect(state.convs[STATUS_KEY]!.lines[0]).toMatchObject({ kind: 'error', text: 'not connected' });
  });

  it('selects by number and cycles with wrap-around; scroll is clamped and counts what arrives below', () => {
    let state = run([{ type: 'joined', room: '#a', topic: '' }, { type: 'joined', room: '#b', topic: '' }, { type: 'joined', room: '#c', topic: '' }]);
    expect(state.active).toBe('#c');
    state = run([{ type: 'cycle', delta: 1 }], state);
    expect(state.active).toBe('#a');
    state = run([{ type: 'cycle', delta: -1 }, { type: 'select', index: 1 }, { type: 'select', index: 9 }], state);
    expect(state.active).toBe('#b');
    state = run([{ type: 'scroll', rows: 50, max: 20 }, message('bob', '#b')], state);
    expect(state.convs['#b']!.scroll).toBe(20);
    expect(state.convs['#b']!.newBelow).toBe(1);
    state = run([{ type: 'scroll', rows: -100, max: 20 }], state);
    expect(state.convs['#b']!).toMatchObject({ scroll: 0, newBelow: 0 });
  });

  it('room deletion keeps the conversation readable and says so', () => {
    const state = run([{ type: 'joined', room: '#general', topic: '' }, { type: 'topic', room: '#general', topic: 'release', by: 'bob' }, { type: 'room-deleted', room: '#general', by: 'admin' }]);
    expect(state.convs['#general']).toMatchObject({ topic: 'release', gone: true });
    expect(state.convs['#general']!.lines.map((l) => l.text)).toEqual(['bob set the topic: release', '#general was deleted by admin']);
  });
});
