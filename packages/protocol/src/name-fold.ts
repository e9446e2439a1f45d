/**
 * Full Unicode case fold: upper then lower (ß/SS, σ/ς); NFKC on both ends because case mapping
 * can denormalize. Its own module, without the confusables table, so a client that only
 * compares names the server sent (the web client) does not ship that table.
 */
export function foldCase(text: string): string {
  return text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}
