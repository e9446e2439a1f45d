import { describe, expect, it } from 'vitest';
import { complete, type CompletionSources } from './completion.ts';

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
