import { ParleyError } from './errors.ts';
import { MAX_NAME_LENGTH, MAX_ROOM_NAME_LENGTH } from './limits.ts';

/**
 * Names are compared case-insensitively after NFKC normalization, so "Ａlice", "ALICE" and
 * "alice" are one name. The display form keeps the user's casing.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function nameKey(name: string): string {
  // Fast path for the common case: for printable ASCII, NFKC changes nothing and the full
  // fold below equals toLowerCase. (Names are looked up on every direct message.)
  if (PRINTABLE_ASCII.test(name)) return name.toLowerCase();
  // Upper then lower folds what lowercasing alone keeps apart (ß/SS, σ/ς); NFKC on both ends
  // because case mapping can produce sequences that are no longer normalized.
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
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
const RESERVED = new Set(['all', 'server', 'system', 'parley', 'nobody']);
/** Auto-assigned guest names: reserved so a claimed name can never collide with one. */
export const GUEST_NAME_PATTERN = /^guest\d+$/i;

export function validateUserName(raw: string): string {
  const name = nfkc(raw);
  if (name.length === 0 || codePoints(name) > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
    throw new ParleyError('NAME_INVALID', `Invalid name "${raw}": 1-${MAX_NAME_LENGTH} letters, digits, "_", "-" or ".", starting with a letter`);
  }
  if (RESERVED.has(nameKey(name)) || GUEST_NAME_PATTERN.test(name)) {
    throw new ParleyError('NAME_INVALID', `The name "${raw}" is reserved`);
  }
  return name;
}

/** Returns the display form of a room name, always with its leading '#'. */
export function validateRoomName(raw: string): string {
  const name = nfkc(raw.startsWith('#') ? raw : `#${raw}`);
  if (codePoints(name) > MAX_ROOM_NAME_LENGTH + 1 || !ROOM_PATTERN.test(name)) {
    throw new ParleyError('ROOM_INVALID', `Invalid room "${raw}": "#" then 1-${MAX_ROOM_NAME_LENGTH} letters, digits, "_", "-" or "."`);
  }
  return name;
}

export function isRoomTarget(target: string): boolean {
  return target.startsWith('#');
}
