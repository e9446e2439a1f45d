import { describe, expect, it } from 'vitest';
import { eachWsPayload, frameBytes, type WireFormat } from './wire-format.ts';

describe('eachWsPayload', () => {
  it('gives back every payload frameBytes framed, back to back, at each header size, text and binary', () => {
    // 125/126 and 65535/65536 are where RFC 6455 §5.2's 7-, 16- and 64-bit lengths change.
    const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
    const sent = sizes.map((size, i) => ({ payload: Buffer.alloc(size, i + 1), format: (i % 2 ? 'ws-msgpack' : 'ws-json') as WireFormat }));
    const frames = Buffer.concat(sent.map(({ format, payload }) => frameBytes(format, payload)));
    const got: { size: number; first: number | undefined; binary: boolean }[] = [];
    eachWsPayload(frames, (payload, binary) => got.push({ size: payload.length, first: payload[0], binary }));
    expect(got).toEqual(sent.map(({ payload, format }, i) => ({ size: payload.length, first: payload.length > 0 ? i + 1 : undefined, binary: format === 'ws-msgpack' })));
  });
});
