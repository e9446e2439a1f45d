/**
 * Who is in a direct conversation, derived from its id alone (`dm:<idA>:<idB>`), so every
 * store can index a person's direct conversations without parsing ids in SQL. One row per
 * person and conversation; a note to self (`dm:<id>:<id>`) has one. Migration 0005 of the
 * SQLite store uses it too: a released migration must not change, so neither may this.
 */
export interface DmParticipantRow {
  user_id: string;
  conv: string;
  peer_id: string;
}

/** The rows of one direct conversation id; none for an id that is not `dm:<id>:<id>`. */
export function dmParticipantRows(conv: string): DmParticipantRow[] {
  const parts = conv.split(':');
  if (parts.length !== 3 || parts[0] !== 'dm' || !parts[1] || !parts[2]) return [];
  const [, a, b] = parts as [string, string, string];
  return a === b ? [{ user_id: a, conv, peer_id: b }] : [{ user_id: a, conv, peer_id: b }, { user_id: b, conv, peer_id: a }];
}
