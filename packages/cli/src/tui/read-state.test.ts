import type { ClientMessage } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { chatReducer, type ChatAction } from './chat-reducer.ts';
import { conversationKey, initialChatState, type ChatState } from './conversations.ts';
import { typingNow, typingText } from './read-state.ts';

const run = (actions: ChatAction[], state: ChatState = initialChatState('alice')) => actions.reduce(chatReducer, state);
const message = (seq: number, { from, to, conv }: { from: string; to: string; conv: string }): ClientMessage => ({ conv, seq, from, to, text: `m${seq}`, ts: seq });

describe('typing and read state', () => {
  it('keeps who is typing per conversation until it expires or stops, never me', () => {
    const state = run([
      { type: 'joined', room: '#dev', topic: '' },
      { type: 'typing', conv: '#dev', user: 'bob', on: true, until: 100 },
      { type: 'typing', conv: '#dev', user: 'carol', on: true, until: 200 },
      { type: 'typing', conv: '#dev', user: 'alice', on: true, until: 200 },
    ]);
    expect(typingNow(state, '#dev', 50)).toEqual(['bob', 'carol']);
    expect(typingNow(state, '#dev', 150)).toEqual(['carol']);
    expect(typingNow(run([{ type: 'typing', conv: '#dev', user: 'carol', on: false, until: 0 }], state), '#dev', 150)).toEqual([]);
    expect(typingText(['bob'])).toBe('bob is typing…');
    expect(typingText(['bob', 'carol'])).toBe('bob and carol are typing…');
    expect(typingText(['a', 'b', 'c'])).toBe('3 people are typing…');
  });

  it('takes unread counts at login, lists DMs with unread, sets the divider on screen, and clears on a read from another device', () => {
    let state = run([
      { type: 'joined', room: '#dev', topic: '' },
      { type: 'joined', room: '#ops', topic: '' },
      { type: 'open', target: '#dev' },
      {
        type: 'unread-info',
        conversations: [
          { conv: '#dev', with: '#dev', read: 4, last: 6, unread: 2 },
          { conv: '#ops', with: '#ops', read: 1, last: 3, unread: 2 },
          { conv: 'dm:a1:a2', with: 'bob', read: 0, last: 1, unread: 1 },
        ],
      },
    ]);
    expect(state.convs['#dev']).toMatchObject({ unread: 0, divider: 4, readAt: 4 });
    expect(state.convs['#ops']).toMatchObject({ unread: 2, readAt: 1 });
    expect(state.convs[conversationKey('bob')]).toMatchObject({ unread: 1, convId: 'dm:a1:a2' });
    state = run([{ type: 'message', message: message(2, { from: 'bob', to: 'alice', conv: 'dm:a1:a2' }) }], state);
    expect(state.convs[conversationKey('bob')]!.unread).toBe(2);
    state = run([{ type: 'read', conv: 'dm:a1:a2', seq: 2 }], state);
    expect(state.convs[conversationKey('bob')]).toMatchObject({ unread: 0, readAt: 2 });
    // Opening a conversation puts the divider at its read position.
    state = run([{ type: 'open', target: '#ops' }], state);
    expect(state.convs['#ops']).toMatchObject({ unread: 0, divider: 1 });
  });
});
