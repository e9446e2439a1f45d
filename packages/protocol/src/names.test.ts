import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParleyError, type ErrorName } from './errors.ts';
import { MAX_NAME_LENGTH, MAX_ROOM_NAME_LENGTH } from './limits.ts';
import { foldCase } from './name-fold.ts';
import { skeletonOfFolded } from './name-skeleton.ts';
import { foldName, GUEST_NAME_PATTERN, isRoomTarget, nameKey, validateRoomName, validateUserName } from './names.ts';

function errorOf(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParleyError) return error;
    throw error;
  }
  throw new Error('expected a ParleyError');
}

function rejects(fn: () => unknown, name: ErrorName, message?: RegExp): void {
  const error = errorOf(fn);
  expect(error.errorName).toBe(name);
  if (message) expect(error.message).toMatch(message);
}

describe('nameKey', () => {
  it('folds case and NFKC compatibility forms to one key', () => {
    expect(new Set(['alice', 'ALICE', 'Alice', 'Ａｌｉｃｅ', 'ＡＬＩＣＥ'].map(nameKey))).toEqual(new Set(['alice']));
    expect(nameKey('Zoë')).toBe(nameKey('ZOË'));
    expect(nameKey('Zoe\u0308')).toBe(nameKey('Zoë')); // decomposed and precomposed ë
    expect(nameKey('\u212Aelvin')).toBe('kelvin'); // KELVIN SIGN
    expect(nameKey('ﬁona')).toBe('fiona'); // ligature
    expect(nameKey('bob１２')).toBe('bob12'); // fullwidth digits
    expect(nameKey('ДМИТРИЙ')).toBe(nameKey('дмитрий'));
  });

  it('property: ASCII names differing only in case share a key, and the key is stable', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/), (name) => {
        const key = nameKey(name);
        expect(nameKey(name.toUpperCase())).toBe(key);
        expect(nameKey(name.toLowerCase())).toBe(key);
        expect(nameKey(key)).toBe(key);
      }),
    );
  });

  // "Compared case-insensitively" means Unicode case folding, not just toLowerCase: each pair
  // differs only in case ("STRASSE" is "Straße".toUpperCase(), "ΣΑΣ" is "σασ".toUpperCase()).
  it.each([
    ['Straße', 'STRASSE'],
    ['σασ', 'ΣΑΣ'],
  ])('folds full Unicode case: %s and %s share a key', (a, b) => {
    expect(b).toBe(a.toUpperCase());
    expect(nameKey(validateUserName(a))).toBe(nameKey(validateUserName(b)));
  });
});

describe('validateUserName', () => {
  it('accepts letters, digits, "_", "-" and "." starting with a letter, and returns the NFKC form', () => {
    for (const name of ['a', 'alice', 'Bob_2', 'c.d-e_f', 'x'.repeat(MAX_NAME_LENGTH)]) expect(validateUserName(name)).toBe(name);
    expect(validateUserName('Ａｌｉｃｅ')).toBe('Alice');
    expect(validateUserName('Jose\u0301')).toBe('Jos\u00e9');
  });

  it('accepts letters from any script', () => {
    for (const name of ['Zoë', 'Søren', 'Łukasz', 'Дмитрий', '李雷', 'さくら', 'Ἀθηνᾶ', 'محمد', 'דוד', 'Þór', 'Ørjan_3']) {
      expect(validateUserName(name)).toBe(name);
    }
  });

  it('counts length in code points after NFKC', () => {
    const astral = '\u{20000}'; // a CJK letter outside the BMP: 2 UTF-16 units, 1 code point
    expect(validateUserName(astral.repeat(MAX_NAME_LENGTH))).toBe(astral.repeat(MAX_NAME_LENGTH));
    rejects(() => validateUserName(astral.repeat(MAX_NAME_LENGTH + 1)), 'NAME_INVALID');
    rejects(() => validateUserName('x'.repeat(MAX_NAME_LENGTH + 1)), 'NAME_INVALID');
    // "ﬃ" is one character that NFKC turns into three.
    expect(validateUserName('ﬃ'.repeat(10))).toBe('ffi'.repeat(10));
    rejects(() => validateUserName('ﬃ'.repeat(11)), 'NAME_INVALID');
  });

  it.each(['', ' ', '1abc', '_x', '-x', '.x', 'a b', 'a@b', 'a,b', '#room', 'ali\\ce', 'a😀', 'tab\tname', 'new\nline', 'a\u0000'])(
    'rejects %j',
    (name) => {
      rejects(() => validateUserName(name), 'NAME_INVALID', /Invalid name/);
    },
  );

  it('reserves all, server, system, parley, nobody in any case or width', () => {
    for (const name of ['all', 'ALL', 'All', 'Ａｌｌ', 'server', 'SYSTEM', 'Parley', 'nobody', 'ſerver']) {
      rejects(() => validateUserName(name), 'NAME_INVALID', /reserved/);
    }
    for (const name of ['allison', 'servers', 'nobody2', 'parleyfan']) expect(validateUserName(name)).toBe(name);
  });

  it('reserves the automatic guest names guest<digits>', () => {
    for (const name of ['guest1', 'guest0042', 'GUEST7', 'Guest123456', 'guest１２']) {
      rejects(() => validateUserName(name), 'NAME_INVALID', /reserved/);
    }
    for (const name of ['guest', 'guests', 'guest1a', 'guest_1', 'myguest1', 'guestX']) expect(validateUserName(name)).toBe(name);
    expect(GUEST_NAME_PATTERN.test('guest1234')).toBe(true);
  });

  it('property: any string is either rejected with NAME_INVALID or gives a valid, stable, unreserved name', () => {
    const anyName = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[A-Za-z\u00c0-\u024f][\w.-]{0,40}$/));
    fc.assert(
      fc.property(anyName, (raw) => {
        let name: string;
        try {
          name = validateUserName(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ParleyError);
          expect((error as ParleyError).errorName).toBe('NAME_INVALID');
          return;
        }
        expect(name).toBe(raw.normalize('NFKC'));
        expect(name.normalize('NFKC')).toBe(name);
        expect([...name].length).toBeGreaterThanOrEqual(1);
        expect([...name].length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        expect(validateUserName(name)).toBe(name);
        expect(GUEST_NAME_PATTERN.test(nameKey(name))).toBe(false);
        expect(['all', 'server', 'system', 'parley', 'nobody']).not.toContain(nameKey(name));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateRoomName', () => {
  it('returns the display name with its "#", adding one if missing', () => {
    expect(validateRoomName('#general')).toBe('#general');
    expect(validateRoomName('general')).toBe('#general');
    expect(validateRoomName('#Dev-Team_2.0')).toBe('#Dev-Team_2.0');
    expect(validateRoomName('#Café')).toBe('#Café');
    expect(validateRoomName('#１２')).toBe('#12');
    expect(validateRoomName('#1')).toBe('#1'); // rooms may start with a digit
  });

  it('allows 1 to 48 characters after "#"', () => {
    expect(validateRoomName(`#${'r'.repeat(MAX_ROOM_NAME_LENGTH)}`)).toBe(`#${'r'.repeat(MAX_ROOM_NAME_LENGTH)}`);
    rejects(() => validateRoomName(`#${'r'.repeat(MAX_ROOM_NAME_LENGTH + 1)}`), 'ROOM_INVALID');
    rejects(() => validateRoomName('#'), 'ROOM_INVALID');
    rejects(() => validateRoomName(''), 'ROOM_INVALID');
  });

  it.each(['##x', '#a b', '#dev!', '#a,b', '# x', '#x\n', '#😀'])('rejects %j', (name) => {
    rejects(() => validateRoomName(name), 'ROOM_INVALID', /Invalid room/);
  });

  it('folds case and width for room keys', () => {
    expect(nameKey(validateRoomName('#General'))).toBe(nameKey(validateRoomName('ＧＥＮＥＲＡＬ')));
    expect(isRoomTarget('#x')).toBe(true);
    expect(isRoomTarget('alice')).toBe(false);
  });

  it('property: any string is rejected with ROOM_INVALID or gives a stable "#" name', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.stringMatching(/^#?[\w.-]{0,50}$/)), (raw) => {
        let name: string;
        try {
          name = validateRoomName(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ParleyError);
          expect((error as ParleyError).errorName).toBe('ROOM_INVALID');
          return;
        }
        expect(name.startsWith('#')).toBe(true);
        expect([...name].length).toBeLessThanOrEqual(MAX_ROOM_NAME_LENGTH + 1);
        expect(validateRoomName(name)).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nameKey ASCII fast path', () => {
  it('gives the same key as the full Unicode path for every printable ASCII string', () => {
    const fullFold = (name: string) => skeletonOfFolded(foldCase(name));
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }), (name) => {
        expect(nameKey(name)).toBe(fullFold(name));
      }),
    );
  });
});

describe('lookalike names (UTS #39 confusables)', () => {
  const CYRILLIC_A = '\u0430';
  it.each([
    [`${CYRILLIC_A}lice`, 'alice'], // Cyrillic а
    ['b\u043eb', 'bob'], // Cyrillic о
    ['b\u03bfb', 'bob'], // Greek ο
    ['\u0412ob', 'Bob'], // Cyrillic В: its small form в does not look like b, its capital is B
    ['\u0422\u041e\u041c', 'TOM'], // all Cyrillic capitals
    ['\u0392\u039f\u0392', 'BOB'], // all Greek capitals
    ['p\u0430ypal', 'paypal'],
    ['I\u0455aac', 'Isaac'], // Cyrillic ѕ inside an otherwise ASCII name
    ['\u217Fike', 'mike'], // SMALL ROMAN NUMERAL ONE THOUSAND, whose prototype is "rn"
  ])('%s is accepted as a name but has the key of %s', (lookalike, original) => {
    expect(validateUserName(lookalike)).toBe(lookalike.normalize('NFKC'));
    expect(nameKey(lookalike)).toBe(nameKey(original));
    expect(lookalike).not.toBe(original);
  });

  it.each([
    ['\u1d00lice', 'small capital A'],
    ['\u0299ob', 'small capital B'],
    ['alice\u3164', 'HANGUL FILLER after a name'],
    ['\u3164\u3164\u3164', 'only HANGUL FILLERs'],
    ['\u115f', 'HANGUL CHOSEONG FILLER'],
    ['\u115f\u1160', 'CHOSEONG and JUNGSEONG FILLER'],
    ['\uffa0\uffa0', 'HALFWIDTH HANGUL FILLER'],
    ['a\u115fb', 'a filler inside a name'],
    ['ali\u200bce', 'a zero-width space'],
    ['ali\u200dce', 'a zero-width joiner'],
    ['ali\u2060ce', 'a word joiner'],
    ['ali\u00adce', 'a soft hyphen'],
    ['ali\u034fce', 'a combining grapheme joiner'],
    ['alice\ufe0f', 'a variation selector'],
  ])('refuses %j (%s) with NAME_INVALID', (name) => {
    rejects(() => validateUserName(name), 'NAME_INVALID', /Invalid name/);
  });

  it('reserves lookalikes of reserved and automatic guest names', () => {
    for (const name of ['\u0455erver', '\u0430ll', 'gu\u0435st1', 'n\u043ebody']) rejects(() => validateUserName(name), 'NAME_INVALID', /reserved/);
  });

  it('keeps ordinary names of every script valid, distinct from each other, and case-insensitive', () => {
    const names = ['Zoë', 'Jürgen', 'Jurgen', 'Zoe', 'Алиса', 'Алина', 'Дмитрий', '李雷', '李明', 'さくら', 'サクラ', 'Søren', 'Soren', 'Łukasz', 'Ἀθηνᾶ', 'محمد', 'דוד', 'Þór', 'Ørjan_3', 'alice', 'aIice'];
    for (const name of names) expect(validateUserName(name)).toBe(name);
    const keys = names.map(nameKey);
    expect(new Set(keys).size, keys.join(' ')).toBe(names.length);
    for (const name of names) {
      expect(nameKey(name.toUpperCase())).toBe(nameKey(name));
      expect(nameKey(name.toLowerCase())).toBe(nameKey(name));
    }
  });

  it('folds plain ASCII by case only: lookalikes within ASCII stay different names', () => {
    for (const [a, b] of [['aIice', 'alice'], ['rnike', 'mike'], ['b0b', 'bob'], ['l1l', 'lll']] as const) expect(nameKey(a)).not.toBe(nameKey(b));
  });

  it('drops invisible characters from lookup keys, so a hidden one cannot make a name look free', () => {
    expect(nameKey('alice\u3164')).toBe('alice');
    expect(nameKey('al\u200bice')).toBe('alice');
  });

  it('foldName is the case fold alone (room keys, keys from before the lookalike fold)', () => {
    expect(foldName(`${CYRILLIC_A}lice`)).toBe(`${CYRILLIC_A}lice`);
    expect(foldName('ДМИТРИЙ')).toBe('дмитрий');
    expect(foldName('Straße')).toBe('strasse');
    expect(foldName('#General')).toBe('#general');
  });

  it('property: keys are fixed points, and the key of the old fold is the key (what the migration relies on)', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^[A-Za-z\u00c0-\u04ff\u0370-\u03ff]{1,12}$/));
    fc.assert(
      fc.property(text, (name) => {
        const key = nameKey(name);
        expect(nameKey(key)).toBe(key);
        expect(nameKey(foldName(name))).toBe(key);
        expect(nameKey(name.toUpperCase())).toBe(nameKey(name.toUpperCase().toLowerCase()));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('lookalike room names', () => {
  it('refuses invisible and small-capital characters with ROOM_INVALID', () => {
    for (const name of ['#\u3164', '#gen\u3164', '#\u1d00bc', '#a\u200bb']) rejects(() => validateRoomName(name), 'ROOM_INVALID', /Invalid room/);
  });

  it('keeps the case fold as the room key and gives lookalikes the same lookalike key', () => {
    const lookalike = validateRoomName('#g\u0435neral'); // Cyrillic е
    expect(foldName(lookalike)).not.toBe(foldName('#general'));
    expect(nameKey(lookalike)).toBe(nameKey('#general'));
    expect(foldName(validateRoomName('#Général'))).toBe('#général');
  });
});
