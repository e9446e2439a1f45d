/**
 * Each server names users its own way: its own as `a3` (or a guest's `g…`), another server's as
 * `<their id>@<their server id>`; names likewise (`bob`, `bob@b.example`). What one server says
 * of users to another (directory entries, group members, Welcomes) is in the sender's terms, and
 * the receiver puts it in its own with these. A certificate names its user network-wide
 * (`<id>@<server id>`, the login reply's e2e_id), which is how both ends agree on who a member is.
 */

/** A user id as server `from` names it, as server `to` names it. */
export function idAt(id: string, from: string, to: string): string {
  if (from === to) return id;
  if (!id.includes('@')) return `${id}@${from}`;
  const own = `@${to}`;
  return id.endsWith(own) ? id.slice(0, -own.length) : id;
}

/** A user's name as the server named `from` shows it, as the server named `to` does (server names are lower case). */
export function nameAt(name: string, from: string, to: string): string {
  if (from === to) return name;
  const at = name.lastIndexOf('@');
  if (at < 0) return `${name}@${from}`;
  return name.slice(at + 1).toLowerCase() === to ? name.slice(0, at) : name;
}
