import { describe, expect, it } from 'vitest';
import { complete, completesJoinRoom, type CompletionSources } from './completion.ts';

const sources: CompletionSources = { commands: ['join', 'leave', 'help', 'history'], rooms: ['#general', '#dev', '#design'], names: ['alice', 'Bob', 'bert'] };

describe('tab completion', () => {
  it('completes commands at the start of the line', () => {
    expect(complete({ text: '/jo', cursor: 3 }, sources)).toMatchObject({ text: '/join ', cursor: 6 });
  });

  it('completes rooms anywhere and cycles through matches on repeated tabs', () => {
    const first = complete({ text: '/join #de', cursor: 9 }, sources);
    expect(first.text).toBe('/join #design ');
    const second = complete(first, sources, first.completion);
    expect(second.text).toBe('/join #dev ');
    const third = complete(second, sources, second.completion);
    expect(third.text).toBe('/join #design ');
  });

  it('completes names case-insensitively, addressing at the start of a line', () => {
    expect(complete({ text: 'b', cursor: 1 }, sources).text).toBe('bert: ');
    expect(complete({ text: 'BO', cursor: 2 }, sources).text).toBe('Bob: ');
    expect(complete({ text: 'hi AL', cursor: 5 }, sources).text).toBe('hi alice ');
    expect(complete({ text: '/msg al', cursor: 7 }, sources).text).toBe('/msg alice ');
  });

  it('keeps the text after the cursor and leaves unknown words alone', () => {
    expect(complete({ text: 'hi al how are you', cursor: 5 }, sources)).toMatchObject({ text: 'hi alice how are you', cursor: 8 });
    expect(complete({ text: 'zz', cursor: 2 }, sources)).toEqual({ text: 'zz', cursor: 2, completion: undefined });
  });
});

describe('tab completion of /join', () => {
  const withServer: CompletionSources = { ...sources, rooms: ['#general'], serverRooms: ['#general', '#design', '#Dev'] };

  it('offers the rooms the server lists, not only those I am in', () => {
    expect(complete({ text: '/join #d', cursor: 8 }, withServer).text).toBe('/join #design ');
    expect(complete({ text: '/join #d', cursor: 8 }, { ...withServer, serverRooms: [] }).text).toBe('/join #d');
    // A dialect's word for join, and a room typed without its "#".
    expect(complete({ text: '/join-channel de', cursor: 16 }, withServer).text).toBe('/join-channel #design ');
    expect(complete({ text: '/JOIN dev', cursor: 9 }, withServer).text).toBe('/JOIN #Dev ');
  });

  it('keeps the server list to the room of /join', () => {
    expect(complete({ text: 'see #de', cursor: 7 }, withServer).text).toBe('see #de');
    expect(complete({ text: '/join #general pass', cursor: 19 }, withServer).text).toBe('/join #general pass');
    expect(completesJoinRoom({ text: '/join #d', cursor: 8 })).toBe(true);
    expect(completesJoinRoom({ text: '/join ', cursor: 6 })).toBe(true);
    expect(completesJoinRoom({ text: '/msg #d', cursor: 7 })).toBe(false);
    expect(completesJoinRoom({ text: '/join #d x', cursor: 10 })).toBe(false);
  });
});
