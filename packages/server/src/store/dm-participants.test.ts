import { describe, expect, it } from 'vitest';
import { dmParticipantRows } from './dm-participants.ts';

describe('dmParticipantRows', () => {
  it('gives each person of a direct conversation a row naming the other', () => {
    expect(dmParticipantRows('dm:a1:g7')).toEqual([
      { user_id: 'a1', conv: 'dm:a1:g7', peer_id: 'g7' },
      { user_id: 'g7', conv: 'dm:a1:g7', peer_id: 'a1' },
    ]);
  });

  it('gives a note to self one row', () => {
    expect(dmParticipantRows('dm:a1:a1')).toEqual([{ user_id: 'a1', conv: 'dm:a1:a1', peer_id: 'a1' }]);
  });

  it.each(['#room', 'dm:a1', 'dm:a1:', 'dm::a1', 'dm:a1:a2:a3', 'xx:a1:a2'])('gives %s none', (conv) => {
    expect(dmParticipantRows(conv)).toEqual([]);
  });
});
