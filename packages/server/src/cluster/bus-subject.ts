/**
 * Bus topics as NATS subjects. Topics carry room keys and user ids, which may hold characters a
 * subject cannot: `.` separates tokens, `*` and `>` are wildcards, whitespace ends the subject on
 * the wire, and anything else outside `[A-Za-z0-9_-]` is discouraged by the NATS docs. So a topic
 * `<kind>.<rest>` becomes `<prefix>.<kind>.<base64url(rest)>`: the kind stays readable (an
 * operator can `nats sub 'parley.conv.>'`), the rest is opaque but reversible.
 *
 *   conv.#general  -> parley.conv.I2dlbmVyYWw
 *   cluster        -> parley.cluster
 *   conv.          -> parley.conv._           (an empty rest: base64url never yields one char)
 *   #odd topic     -> parley._.I29kZCB0b3BpYw (no plain kind: the whole topic, under `_`)
 */

const PLAIN_KIND = /^[a-z][a-z0-9-]*$/;
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const EMPTY_TOKEN = '_';
const RAW_KIND = '_';

/**
 * Longest subject the bus sends. nats-server refuses a protocol line over max_control_line
 * (4096 bytes by default) and closes the connection, which would cut every topic of the node
 * off; a `PUB <subject> <size>` line stays well under it at this length.
 */
export const MAX_SUBJECT_LENGTH = 2048;

export function isValidSubjectPrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

export function topicSubject(prefix: string, topic: string): string {
  const dot = topic.indexOf('.');
  const kind = dot === -1 ? topic : topic.slice(0, dot);
  if (!PLAIN_KIND.test(kind)) return `${prefix}.${RAW_KIND}.${token(topic)}`;
  return dot === -1 ? `${prefix}.${kind}` : `${prefix}.${kind}.${token(topic.slice(dot + 1))}`;
}

/** The topic of a subject made by `topicSubject` with this prefix; undefined for any other. */
export function subjectTopic(prefix: string, subject: string): string | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const tokens = subject.slice(prefix.length + 1).split('.');
  const [kind, rest, extra] = tokens;
  if (kind === undefined || extra !== undefined) return undefined;
  if (kind === RAW_KIND) {
    const topic = rest === undefined ? undefined : untoken(rest);
    // Only the encoder's own form counts: a plain-kind topic is never sent under `_`.
    return topic !== undefined && topicSubject(prefix, topic) === subject ? topic : undefined;
  }
  if (!PLAIN_KIND.test(kind)) return undefined;
  if (rest === undefined) return kind;
  const decoded = untoken(rest);
  return decoded === undefined ? undefined : `${kind}.${decoded}`;
}

function token(text: string): string {
  return text === '' ? EMPTY_TOKEN : Buffer.from(text, 'utf8').toString('base64url');
}

function untoken(text: string): string | undefined {
  if (text === EMPTY_TOKEN) return '';
  if (!/^[A-Za-z0-9_-]{2,}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  const decoded = bytes.toString('utf8');
  // Reject what does not re-encode to itself (non-canonical base64, invalid UTF-8).
  return Buffer.from(decoded, 'utf8').toString('base64url') === text ? decoded : undefined;
}
