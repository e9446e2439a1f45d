import { renderToString } from 'ink';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { Conversation } from './conversations.ts';
import { MemberList } from './member-list.tsx';

const room = (names: string[]): Conversation =>
  ({ kind: 'room', label: '#r', members: names.map((name, i) => ({ name, status: i === 0 ? 'away' : 'online', kind: 'guest' })) }) as Conversation;

describe('MemberList', () => {
  it('marks presence and says how many more do not fit', () => {
    const lines = renderToString(createElement(MemberList, { conv: room(['ann', 'bob', 'cy', 'dee', 'eve']), width: 14, height: 4 }), { columns: 14 }).split('\n');
    expect(lines.map((l) => l.trimEnd())).toEqual(['│ Members (5)', '│ ◐ ann', '│ ● bob', '│ +3 more']);
  });

  it('shows room owners, moderators and mutes after the names, truncating the name first', () => {
    const conv = {
      kind: 'room',
      label: '#r',
      members: [
        { name: 'ann', status: 'online', kind: 'account', role: 'owner' },
        { name: 'bartholomew', status: 'online', kind: 'account', role: 'moderator' },
        { name: 'cy', status: 'online', kind: 'guest', muted: true },
      ],
    } as Conversation;
    const lines = renderToString(createElement(MemberList, { conv, width: 16, height: 5 }), { columns: 16 }).split('\n');
    expect(lines.map((l) => l.trimEnd())).toEqual(['│ Members (3)', '│ ● ann owner', '│ ● bartholo mod', '│ ● cy muted', '│']);
  });
});
