import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeUtf8, encodeFrame, encodeUtf8, type Codec } from './codecs.ts';
import { ParleyError } from './errors.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new TextEncoder().encode(text);
const pack = (value: unknown) => new Packr({ useRecords: false }).pack(value);

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectBadFrame(codec: Codec, input: Uint8Array): void {
  const error = thrown(() => decodeFrame(codec, input));
  expect(error).toBeInstanceOf(ParleyError);
  const parley = error as ParleyError;
  expect(parley.errorName).toBe('BAD_FRAME');
  expect(parley.code).toBe(1000);
  expect(parley.toWire()).toMatchObject({ code: 1000, name: 'BAD_FRAME', action: 'fix' });
}

/** Object keys a protocol frame may carry ("__proto__" is left out: it is not a frame key). */
const key = fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__');
/** msgpackr renames a nested "__proto__" key (prototype-pollution guard), so values leave it out too. */
const hasProtoKey = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.entries(value).some(([k, v]) => k === '__proto__' || hasProtoKey(v));
const frameObject = fc.dictionary(
  key,
  fc.jsonValue({ maxDepth: 3 }).filter((value) => !hasProtoKey(value)),
  { maxKeys: 8 },
);

describe('decodeFrame (JSON)', () => {
  it('decodes an object frame', () => {
    expect(decodeFrame('json', utf8('{"cmd":"hello","v":1}'))).toEqual({ cmd: 'hello', v: 1 });
    expect(decodeFrame('json', utf8(' {"cmd":"send","to":["a"],"text":"é😀"} '))).toEqual({ cmd: 'send', to: ['a'], text: 'é😀' });
  });

  it.each([
    ['truncated', '{"cmd":'],
    ['single quotes', "{'cmd':'hello'}"],
    ['trailing garbage', '{"cmd":"hello"} x'],
    ['two objects', '{}{}'],
    ['empty', ''],
    ['whitespace only', '  \t'],
    ['bare word', 'hello'],
    ['trailing comma', '{"cmd":"hello",}'],
    ['NaN', '{"v":NaN}'],
    ['deep nesting', '['.repeat(50_000)],
  ])('rejects malformed JSON (%s) as BAD_FRAME', (_what, text) => {
    expectBadFrame('json', utf8(text));
  });

  it.each([
    ['an array', '[{"cmd":"hello"}]'],
    ['an empty array', '[]'],
    ['a number', '5'],
    ['null', 'null'],
    ['a string', '"hello"'],
    ['a boolean', 'true'],
  ])('rejects a frame that is %s as BAD_FRAME', (_what, text) => {
    expectBadFrame('json', utf8(text));
  });

  it.each([
    ['a lone continuation byte', bytes(0x7b, 0x22, 0x80, 0x22, 0x3a, 0x31, 0x7d)],
    ['0xff', bytes(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)],
    ['an overlong "/"', bytes(0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d)],
    ['an encoded surrogate', bytes(0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d)],
    ['a truncated sequence', bytes(0x7b, 0x22, 0xe2, 0x82, 0x22, 0x3a, 0x31, 0x7d)],
  ])('rejects invalid UTF-8 (%s) as BAD_FRAME', (_what, input) => {
    expectBadFrame('json', input);
    const error = thrown(() => decodeUtf8(input));
    expect(error).toBeInstanceOf(ParleyError);
    expect((error as ParleyError).errorName).toBe('BAD_FRAME');
  });
});

describe('decodeFrame (MessagePack)', () => {
  it('decodes a map frame as a plain object', () => {
    const value = decodeFrame('msgpack', pack({ cmd: 'hello', v: 1, nested: { a: [1, 'x'] } }));
    expect(value).toEqual({ cmd: 'hello', v: 1, nested: { a: [1, 'x'] } });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    ['empty input', bytes()],
    ['a map missing its value', bytes(0x81, 0xa3, 0x63, 0x6d, 0x64)],
    ['an array missing elements', bytes(0x92, 0x01)],
    ['a truncated str8', bytes(0x81, 0xa1, 0x61, 0xd9, 0x10, 0x61)],
    ['trailing bytes after the map', bytes(0x80, 0x01)],
    ['an unknown extension type', bytes(0xd4, 0x05, 0x01)],
    ['deep nesting', new Uint8Array(200_000).fill(0x91)],
  ])('rejects malformed MessagePack (%s) as BAD_FRAME', (_what, input) => {
    expectBadFrame('msgpack', input);
  });

  it.each([
    ['an array', pack([{ cmd: 'hello' }])],
    ['a number', pack(5)],
    ['nil', bytes(0xc0)],
    ['a string', pack('hello')],
    ['a boolean', bytes(0xc3)],
  ])('rejects a frame that is %s as BAD_FRAME', (_what, input) => {
    expectBadFrame('msgpack', input);
  });

  // A frame is a map; binary data, a timestamp or the never-used byte 0xc1 are not objects a
  // client can send as a command, even though JavaScript calls Uint8Array and Date "object".
  it.each([
    ['bin8 data', bytes(0xc4, 0x03, 0x01, 0x02, 0x03)],
    ['a timestamp extension', bytes(0xd6, 0xff, 0x00, 0x00, 0x00, 0x01)],
    ['the never-used byte 0xc1', bytes(0xc1)],
  ])('rejects a frame that is %s (not a map) as BAD_FRAME', (_what, input) => {
    expectBadFrame('msgpack', input);
  });

  it('keeps working after a failed decode (no state left behind by an error or a stack overflow)', () => {
    const good = encodeFrame('msgpack', { cmd: 'ping', token: 't' });
    for (const bad of [new Uint8Array(200_000).fill(0x91), bytes(0x92, 0x01), bytes(0xd4, 0x05, 0x01), bytes(0x81, 0xa3, 0x63)]) {
      expect(() => decodeFrame('msgpack', bad)).toThrow(ParleyError);
      expect(decodeFrame('msgpack', good)).toEqual({ cmd: 'ping', token: 't' });
    }
  });
});

describe('codec properties', () => {
  it('encode -> decode round-trips frame objects (as JSON sees them: -0 is 0)', () => {
    fc.assert(
      fc.property(frameObject, (object) => {
        const canonical: unknown = JSON.parse(JSON.stringify(object));
        expect(decodeFrame('json', encodeFrame('json', object))).toEqual(canonical);
        expect(decodeFrame('msgpack', encodeFrame('msgpack', object))).toEqual(canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any well-formed text through UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/\p{Cs}/u.test(s)), (text) => {
        expect(decodeUtf8(encodeUtf8(text))).toBe(text);
        expect(decodeFrame('json', encodeFrame('json', { text }))).toEqual({ text });
        expect(decodeFrame('msgpack', encodeFrame('msgpack', { text }))).toEqual({ text });
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes never throw anything but a BAD_FRAME ParleyError, and a success is a non-array object', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Mostly-valid frames with a few bytes flipped, to get past the first byte more often.
      fc.tuple(frameObject, fc.constantFrom<Codec>('json', 'msgpack'), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 })).map(
        ([object, codec, flips]) => {
          const encoded = encodeFrame(codec, object);
          for (const [at, value] of flips) if (encoded.length > 0) encoded[at % encoded.length] = value;
          return encoded;
        },
      ),
    );
    fc.assert(
      fc.property(input, fc.constantFrom<Codec>('json', 'msgpack'), (input, codec) => {
        let value: unknown;
        try {
          value = decodeFrame(codec, input);
        } catch (error) {
          expect(error).toBeInstanceOf(ParleyError);
          expect((error as ParleyError).errorName).toBe('BAD_FRAME');
          return;
        }
        expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
