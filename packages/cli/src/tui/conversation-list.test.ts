import { renderToString } from 'ink';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { ConversationList } from './conversation-list.tsx';
import { chatReducer, type ChatAction } from './chat-reducer.ts';
import { initialChatState } from './conversations.ts';

const message = (from: string, to: string): ChatAction => ({ type: 'message', message: { conv: to, seq: Math.random(), from, to, text: 'x', ts: 0 } });

describe('ConversationList', () => {
  it('numbers conversations and right-aligns unread counts before the border', () => {
    const actions: ChatAction[] = [
      { type: 'joined', room: '#general', topic: '' },
      { type: 'joined', room: '#a-very-long-room-name', topic: '' },
      { type: 'select', index: 0 },
      message('bob', '#a-very-long-room-name'),
      message('bob', 'me'),
      message('bob', 'me'),
    ];
    const state = actions.reduce(chatReducer, initialChatState('me'));
    const lines = renderToString(createElement(ConversationList, { state, width: 16, height: 3 }), { columns: 16 }).split('\n');
    expect(lines).toEqual(['1 #general     │', '2 #a-very-lon 1│', '3 @bob        2│']);
  });

  it('scrolls to keep the current conversation in view', () => {
    const actions: ChatAction[] = ['#a', '#b', '#c', '#d', '#e'].map((room) => ({ type: 'joined', room, topic: '' }));
    const state = actions.reduce(chatReducer, initialChatState('me'));
    const lines = renderToString(createElement(ConversationList, { state, width: 10, height: 3 }), { columns: 10 }).split('\n');
    expect(lines).toEqual(['3 #c     │', '4 #d     │', '5 #e     │']);
  });
});
