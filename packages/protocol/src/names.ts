import { ParleyError } from './errors.ts';
import { MAX_NAME_LENGTH, MAX_ROOM_NAME_LENGTH } from './limits.ts';
import { foldCase } from './name-fold.ts';
import { skeletonOfFolded } from './name-skeleton.ts';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const MAX_SKELETON_PASSES = 4;

/**
 * The key that decides whether two user names are the same name: for accounts' stored keys,
 * the online-user directory, bans and every lookup by name. Case-insensitive after NFKC
 * ("Ａlice", "ALICE" and "alice" are one name) and lookalike-folded (UTS #39 confusables, see
 * name-skeleton.ts): "аlice" with a Cyrillic а, "bοb" with a Greek ο are "alice" and "bob".
 * Plain ASCII is only case-folded: "aIice" (capital I) and "alice" are different names.
 * The display form keeps what the user typed.
 */
export function nameKey(name: string): string {
  // Fast path for the common case: for printable ASCII, NFKC changes nothing, the full fold
  // equals toLowerCase and no lookalike fold applies. (Names are looked up on every direct message.)
  if (PRINTABLE_ASCII.test(name)) return name.toLowerCase();
  // A prototype can itself fold further (ɮ -> lȝ -> l3), so repeat to a fixed point: then the
  // key of a key is the key, whatever the data (every code point settles within one more pass).
  let key = skeletonOfFolded(foldCase(name));
  for (let pass = 0; pass < MAX_SKELETON_PASSES; pass++) {
    const next = skeletonOfFolded(foldCase(key));
    if (next === key) break;
    key = next;
  }
  return key;
}

/**
 * Case and width fold only, without the lookalike fold: the key of a room (its conversation
 * id, stored with every message) and the name key Parley used before lookalikes were folded,
 * which accounts from before keep when their new key is taken (see the sqlite migrations).
 */
export function foldName(name: string): string {
  return PRINTABLE_ASCII.test(name) ? name.toLowerCase() : foldCase(name);
}

/** NFKC leaves printable ASCII unchanged: skip the ICU call for the common case. */
function nfkc(text: string): string {
  return PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKC');
}

/** Length in code points (a string's length counts UTF-16 units). */
function codePoints(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : [...text].length;
}

const NAME_PATTERN = /^\p{L}[\p{L}\p{N}_.-]*$/u;
const ROOM_PATTERN = /^#[\p{L}\p{N}_.-]+$/u;
/** A server's name in federated names (`#dev@b.example`, `alice@b.example`): a DNS-like label list. */
const SERVER_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/;
/**
 * Letters that pass NAME_PATTERN but must not be in a name: invisible ones (the Hangul fillers
 * U+115F, U+1160, U+3164 and U+FFA0 are letters that render as nothing; every
 * Default_Ignorable_Code_Point), and small capitals and other phonetic-notation letters, which
 * pass for Latin letters (ᴀ for A) but which confusables.txt does not fold and nobody's
 * name needs (UTS #39 Identifier_Type Technical: the Phonetic Extensions blocks U+1D00-U+1DBF
 * and the small capitals of IPA Extensions and Latin Extended-D).
 */
const HIDDEN_OR_LOOKALIKE = /[\p{Default_Ignorable_Code_Point}\u1d00-\u1dbf\u0262\u026a\u0274\u0276\u0280\u0281\u028f\u0299\u029b\u029c\u029f\ua730\ua731\ua7af\ua7fa]/u;

function hiddenOrLookalike(name: string): boolean {
  return !PRINTABLE_ASCII.test(name) && HIDDEN_OR_LOOKALIKE.test(name);
}

const RESERVED = new Set(['all', 'server', 'system', 'parley', 'nobody']);
/** Auto-assigned guest names: reserved so a claimed name can never collide with one. */
export const GUEST_NAME_PATTERN = /^guest\d+$/i;

export function validateUserName(raw: string): string {
  const name = nfkc(raw);
  if (name.length === 0 || codePoints(name) > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
    throw new ParleyError('NAME_INVALID', `Invalid name "${raw}": 1-${MAX_NAME_LENGTH} letters, digits, "_", "-" or ".", starting with a letter`);
  }
  if (hiddenOrLookalike(name)) {
    throw new ParleyError('NAME_INVALID', `Invalid name "${raw}": no invisible, filler or small-capital letters`);
  }
  // On the key, so lookalikes of reserved names ("ѕerver", "guеst1") are reserved too.
  const key = nameKey(name);
  if (RESERVED.has(key) || GUEST_NAME_PATTERN.test(key)) {
    throw new ParleyError('NAME_INVALID', `The name "${raw}" is reserved`);
  }
  return name;
}

/**
 * Returns the display form of a room name, always with its leading '#'. A room's key is
 * `foldName` of it; `nameKey` of it is the lookalike key, by which the server refuses a new
 * room that looks like an existing one and finds the existing room for a lookalike name.
 */
export function validateRoomName(raw: string): string {
  const at = raw.lastIndexOf('@');
  // `#dev@b.example`: a room homed on another server of the federation (its name there, then its server's).
  if (at > 0) return `${validateRoomName(raw.slice(0, at))}@${validateServerName(raw.slice(at + 1))}`;
  const name = nfkc(raw.startsWith('#') ? raw : `#${raw}`);
  if (codePoints(name) > MAX_ROOM_NAME_LENGTH + 1 || !ROOM_PATTERN.test(name)) {
    throw new ParleyError('ROOM_INVALID', `Invalid room "${raw}": "#" then 1-${MAX_ROOM_NAME_LENGTH} letters, digits, "_", "-" or "."`);
  }
  if (hiddenOrLookalike(name)) {
    throw new ParleyError('ROOM_INVALID', `Invalid room "${raw}": no invisible, filler or small-capital letters`);
  }
  return name;
}

/** A server name as federated names carry it (`server_name` of a federating server), case-folded. */
export function validateServerName(raw: string): string {
  if (!SERVER_NAME_PATTERN.test(raw) || raw.includes('..')) {
    throw new ParleyError('NAME_INVALID', `Invalid server name "${raw}": letters, digits, "." and "-", at most 64, starting and ending with a letter or digit`);
  }
  return raw.toLowerCase();
}

/**
 * Splits a federated name (`#dev@b.example`, `alice@b.example`) into its local part and the
 * server it lives on; a name without `@` is this server's (`server` undefined).
 */
export function splitServer(name: string): { local: string; server: string | undefined } {
  const at = name.lastIndexOf('@');
  return at > 0 ? { local: name.slice(0, at), server: name.slice(at + 1).toLowerCase() } : { local: name, server: undefined };
}

export function isRoomTarget(target: string): boolean {
  return target.startsWith('#');
}
