import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectStreamMode, LengthPrefixFramer, lengthPrefix, LineFramer, type FramerOutput } from './framing.ts';

const LF = 0x0a;
const CR = 0x0d;
const enc = (text: string) => new TextEncoder().encode(text);

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Cuts `bytes` at the given (arbitrary, unsorted, possibly repeated) points. */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => (bytes.length === 0 ? 0 : p % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...at, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

/** Pushes every chunk (copies, so a framer cannot lean on the caller's buffer) and flattens the outputs. */
function pushAll(framer: { push(chunk: Uint8Array): FramerOutput[] }, chunks: readonly Uint8Array[]): FramerOutput[] {
  return chunks.flatMap((chunk) => framer.push(Uint8Array.from(chunk)));
}

/** Outputs as comparable plain values: frames as byte arrays, errors as their tag. */
function summary(outputs: readonly FramerOutput[]): (number[] | string)[] {
  return outputs.map((o) => (o.kind === 'frame' ? [...o.bytes] : `${o.error}${o.fatal ? '!' : ''}`));
}

const cutPoints = fc.array(fc.nat(), { maxLength: 12 });
/** A line's content: any bytes but LF, and not ending in CR (a trailing CR is the CRLF terminator's). */
const lineBytes = (maxLength: number) =>
  fc.uint8Array({ maxLength }).map((bytes) => {
    const line = bytes.map((b) => (b === LF ? 0x41 : b));
    if (line.length > 0 && line[line.length - 1] === CR) line[line.length - 1] = 0x42;
    return line;
  });

describe('LineFramer', () => {
  it('cuts LF-terminated lines, strips one CR before the LF, keeps empty lines and holds a partial line', () => {
    const framer = new LineFramer(100);
    expect(summary(framer.push(enc('one\ntwo\r\n\nthr')))).toEqual([[...enc('one')], [...enc('two')], []]);
    expect(framer.buffered).toBe(3);
    expect(summary(framer.push(enc('ee\r')))).toEqual([]);
    expect(summary(framer.push(enc('\nx\ry\r\r\n')))).toEqual([[...enc('three')], [...enc('x\ry\r')]]);
    expect(framer.buffered).toBe(0);
  });

  it('accepts a line of exactly maxBytes (with or without CR) and rejects maxBytes + 1', () => {
    const framer = new LineFramer(8);
    const out = framer.push(enc('12345678\n12345678\r\n123456789\n123456789\r\nok\n'));
    expect(summary(out)).toEqual([[...enc('12345678')], [...enc('12345678')], 'FRAME_TOO_LARGE', 'FRAME_TOO_LARGE', [...enc('ok')]]);
  });

  it('reports an oversize line once, however it arrives, and continues with the next line', () => {
    const framer = new LineFramer(10);
    const out: FramerOutput[] = [];
    out.push(...framer.push(enc('x'.repeat(8))));
    for (let i = 0; i < 50; i++) out.push(...framer.push(enc('y'.repeat(7))));
    expect(framer.buffered).toBeLessThanOrEqual(11);
    out.push(...framer.push(enc('zzz\r\nnext\r\n')));
    expect(summary(out)).toEqual(['FRAME_TOO_LARGE', [...enc('next')]]);
    expect(out[0]).toEqual({ kind: 'error', error: 'FRAME_TOO_LARGE', fatal: false });
  });

  it('property: lines split at any chunk boundaries come out exactly as sent (LF or CRLF)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(lineBytes(40), fc.boolean()), { maxLength: 20 }), cutPoints, (lines, points) => {
        const stream = concatBytes(lines.flatMap(([line, crlf]) => [line, Uint8Array.of(...(crlf ? [CR, LF] : [LF]))]));
        const framer = new LineFramer(40);
        const out = pushAll(framer, cut(stream, points));
        expect(summary(out)).toEqual(lines.map(([line]) => [...line]));
        expect(framer.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: each oversize line gives exactly one non-fatal error in its place; the others pass through', () => {
    const max = 16;
    fc.assert(
      fc.property(fc.array(fc.tuple(lineBytes(3 * max), fc.boolean()), { maxLength: 15 }), cutPoints, (lines, points) => {
        const stream = concatBytes(lines.flatMap(([line, crlf]) => [line, Uint8Array.of(...(crlf ? [CR, LF] : [LF]))]));
        const framer = new LineFramer(max);
        const out = pushAll(framer, cut(stream, points));
        expect(summary(out)).toEqual(lines.map(([line]) => (line.length > max ? 'FRAME_TOO_LARGE' : [...line])));
      }),
      { numRuns: 300 },
    );
  });

  it('property: random garbage never throws, never yields a frame over the limit or containing LF, and stays bounded', () => {
    const max = 32;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const framer = new LineFramer(max);
        for (const chunk of chunks) {
          for (const out of framer.push(chunk)) {
            if (out.kind === 'frame') {
              expect(out.bytes.length).toBeLessThanOrEqual(max);
              expect(out.bytes.includes(LF)).toBe(false);
            } else {
              expect(out).toEqual({ kind: 'error', error: 'FRAME_TOO_LARGE', fatal: false });
            }
          }
          expect(framer.buffered).toBeLessThanOrEqual(max + 1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('LengthPrefixFramer', () => {
  it('reads a 4-byte big-endian length then the payload, even with the header split across chunks', () => {
    expect([...lengthPrefix(Uint8Array.of(7, 8, 9))]).toEqual([0, 0, 0, 3, 7, 8, 9]);
    expect([...lengthPrefix(new Uint8Array(0x010203))].slice(0, 4)).toEqual([0, 1, 2, 3]);
    const framer = new LengthPrefixFramer(100);
    expect(framer.push(Uint8Array.of(0, 0))).toEqual([]);
    expect(framer.push(Uint8Array.of(0))).toEqual([]);
    expect(summary(framer.push(Uint8Array.of(2, 0xaa)))).toEqual([]);
    expect(framer.buffered).toBe(5);
    expect(summary(framer.push(Uint8Array.of(0xbb, 0, 0, 0, 1, 0xcc, 0, 0)))).toEqual([[0xaa, 0xbb], [0xcc]]);
    expect(framer.buffered).toBe(2);
  });

  it('accepts a payload of exactly maxBytes', () => {
    const framer = new LengthPrefixFramer(64);
    const payload = new Uint8Array(64).fill(5);
    expect(summary(framer.push(lengthPrefix(payload)))).toEqual([[...payload]]);
  });

  it('treats an oversize length (including one with the top bit set) as fatal FRAME_TOO_LARGE', () => {
    for (const head of [[0, 0, 0, 65], [0, 1, 0, 0], [0x7f, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff], [0x80, 0, 0, 0]]) {
      const framer = new LengthPrefixFramer(64);
      const out = framer.push(Uint8Array.of(...head, 1, 2, 3));
      expect(out).toEqual([{ kind: 'error', error: 'FRAME_TOO_LARGE', fatal: true }]);
    }
  });

  it('treats a zero length as fatal BAD_FRAME, after delivering the frames before it', () => {
    const framer = new LengthPrefixFramer(64);
    const stream = concatBytes([lengthPrefix(Uint8Array.of(1)), Uint8Array.of(0, 0, 0, 0), lengthPrefix(Uint8Array.of(2))]);
    expect(summary(framer.push(stream))).toEqual([[1], 'BAD_FRAME!']);
  });

  it('detects an oversize length as soon as its fourth header byte arrives', () => {
    const framer = new LengthPrefixFramer(64);
    expect(summary(pushAll(framer, [Uint8Array.of(0, 0, 1), Uint8Array.of(0)]))).toEqual(['FRAME_TOO_LARGE!']);
  });

  it('property: frames split at any chunk boundaries come out exactly as sent', () => {
    const max = 300;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: max }), { maxLength: 15 }), cutPoints, (payloads, points) => {
        const framer = new LengthPrefixFramer(max);
        const out = pushAll(framer, cut(concatBytes(payloads.map(lengthPrefix)), points));
        expect(summary(out)).toEqual(payloads.map((p) => [...p]));
        expect(framer.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a bad length prefix anywhere in the stream is reported once, fatally, after the good frames before it', () => {
    const max = 64;
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: max }), { maxLength: 6 }),
        fc.oneof(fc.constant(0), fc.integer({ min: max + 1, max: 0xffffffff })),
        cutPoints,
        (payloads, badLength, points) => {
          const head = new Uint8Array(4);
          new DataView(head.buffer).setUint32(0, badLength);
          const framer = new LengthPrefixFramer(max);
          const out: FramerOutput[] = [];
          for (const chunk of cut(concatBytes([...payloads.map(lengthPrefix), head, Uint8Array.of(1, 2, 3)]), points)) {
            out.push(...framer.push(chunk));
            if (out.some((o) => o.kind === 'error')) break; // a reader stops at a fatal error
          }
          expect(summary(out)).toEqual([...payloads.map((p) => [...p]), badLength === 0 ? 'BAD_FRAME!' : 'FRAME_TOO_LARGE!']);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: random garbage never throws and never yields an empty or oversize frame; memory stays bounded', () => {
    const max = 128;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const framer = new LengthPrefixFramer(max);
        for (const chunk of chunks) {
          const out = framer.push(chunk);
          for (const o of out) {
            if (o.kind === 'frame') expect(o.bytes.length >= 1 && o.bytes.length <= max).toBe(true);
            else expect(o.fatal).toBe(true);
          }
          expect(framer.buffered).toBeLessThan(max + 4);
          if (out.some((o) => o.kind === 'error')) return;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("a frame's end (where a stream that switches to compression after it goes on)", () => {
  /** Pushes the chunks until frame `k` comes out, then hands the rest of that chunk and the later chunks to a second framer. */
  function switchAfter(framers: [{ push(chunk: Uint8Array): FramerOutput[] }, { push(chunk: Uint8Array): FramerOutput[] }], chunks: readonly Uint8Array[], k: number): FramerOutput[] {
    const [first, second] = framers;
    const out: FramerOutput[] = [];
    let switched = false;
    for (const chunk of chunks) {
      if (switched) {
        out.push(...second.push(chunk));
        continue;
      }
      for (const o of first.push(chunk)) {
        out.push(o);
        if (o.kind === 'frame' && out.length === k + 1) {
          switched = true;
          out.push(...second.push(chunk.subarray(o.end)));
          break;
        }
      }
    }
    return out;
  }

  it('property: lines: a new framer fed the bytes after any frame yields exactly the frames after it', () => {
    fc.assert(
      fc.property(fc.array(lineBytes(40), { minLength: 1, maxLength: 12 }), cutPoints, fc.nat(), (lines, points, pick) => {
        const stream = concatBytes(lines.flatMap((line) => [line, Uint8Array.of(LF)]));
        const out = switchAfter([new LineFramer(40), new LineFramer(40)], cut(stream, points), pick % lines.length);
        expect(summary(out)).toEqual(lines.map((line) => [...line]));
      }),
      { numRuns: 300 },
    );
  });

  it('property: length prefixes: a new framer fed the bytes after any frame yields exactly the frames after it', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { minLength: 1, maxLength: 12 }), cutPoints, fc.nat(), (payloads, points, pick) => {
        const out = switchAfter([new LengthPrefixFramer(100), new LengthPrefixFramer(100)], cut(concatBytes(payloads.map(lengthPrefix)), points), pick % payloads.length);
        expect(summary(out)).toEqual(payloads.map((p) => [...p]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('detectStreamMode', () => {
  it('picks the mode from the first byte that is not whitespace', () => {
    expect(detectStreamMode(enc('{"cmd":"hello","v":1}\n'))).toBe('json');
    expect(detectStreamMode(enc(' \r\n\t{'))).toBe('json');
    expect(detectStreamMode(Uint8Array.of(0, 0, 0, 5))).toBe('msgpack');
    expect(detectStreamMode(Uint8Array.of(LF, 0))).toBe('msgpack');
    expect(detectStreamMode(enc('REGISTER alice\n'))).toBe('text');
    expect(detectStreamMode(enc('/join #x'))).toBe('text');
    expect(detectStreamMode(enc('[1,2]'))).toBe('text');
    expect(detectStreamMode(Uint8Array.of(0x16, 3, 1))).toBe('text');
    expect(detectStreamMode(Uint8Array.of(0xff, 0xfe))).toBe('text');
  });

  it('waits (undefined) while nothing or only whitespace has arrived', () => {
    expect(detectStreamMode(new Uint8Array(0))).toBeUndefined();
    expect(detectStreamMode(enc(' \t\r\n\r\n '))).toBeUndefined();
  });

  it('property: decided by the first non-whitespace byte; framed MessagePack and JSON objects are recognised', () => {
    const ws = fc.array(fc.constantFrom(0x20, 0x09, CR, LF), { maxLength: 5 }).map((b) => Uint8Array.from(b));
    fc.assert(
      fc.property(ws, fc.uint8Array({ maxLength: 20 }), (space, rest) => {
        const first = rest.find((b) => ![0x20, 0x09, CR, LF].includes(b));
        const expected = first === undefined ? undefined : first === 0x7b ? 'json' : first === 0 ? 'msgpack' : 'text';
        expect(detectStreamMode(concatBytes([space, rest]))).toBe(expected);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 50 }), fc.dictionary(fc.string(), fc.jsonValue()), (payload, object) => {
        expect(detectStreamMode(lengthPrefix(payload))).toBe('msgpack');
        expect(detectStreamMode(enc(JSON.stringify(object)))).toBe('json');
      }),
    );
  });
});
