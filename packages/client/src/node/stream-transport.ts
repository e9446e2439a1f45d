import { TLSSocket } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { CHANNEL_BINDING_LABEL, decodeFrame, DEFLATE_WINDOW_BITS, encodeFrame, LineFramer, type Reply, type ServerFrame } from '@parley/protocol';
import { FrameQueue, type Transport, type TransportFactory } from '../transport.ts';
import type { TrustPolicy } from './trust.ts';
import { connectTrusted } from './trusted-socket.ts';

const MAX_INBOUND_FRAME = 16 * 1024 * 1024;
/** zlib memLevel of this end's compressor: 16 KiB with the protocol's 2^11 window, as the server's. */
const DEFLATE_MEM_LEVEL = 4;

/**
 * JSON lines over TLS (pinned, see trust.ts) or plain TCP. A `hello` that asks for compression
 * is watched for: when its reply says `compress: "deflate"`, the bytes after that reply and
 * everything this end sends from then on are raw deflate streams (docs/protocol.md,
 * "Compression"); sends made while the reply is awaited wait for it, since whether they are
 * compressed depends on it.
 */
export function streamTransport(options: { trust: TrustPolicy; connectTimeoutMs?: number }): TransportFactory {
  return async (url) => {
    const socket = await connectTrusted(url, options.trust, options.connectTimeoutMs ?? 10_000);
    socket.setNoDelay(true);
    socket.removeAllListeners('error');
    const queue = new FrameQueue();
    let framer = new LineFramer(MAX_INBOUND_FRAME);
    /** The id of a hello that asked for compression (null: none given), until its reply; sends wait meanwhile. */
    let helloId: unknown;
    const waiting: Buffer[] = [];
    let inflate: InflateRaw | undefined;
    let deflate: DeflateRaw | undefined;

    const write = (bytes: Buffer) => {
      if (!socket.writable) return;
      if (deflate) deflate.write(bytes);
      else socket.write(bytes);
    };
    const compressFrom = (rest: Uint8Array) => {
      framer = new LineFramer(MAX_INBOUND_FRAME);
      inflate = createInflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
      inflate.on('data', readFrames);
      inflate.on('error', () => socket.destroy());
      // Z_SYNC_FLUSH on every write: a command never waits in the compressor.
      deflate = createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS, memLevel: DEFLATE_MEM_LEVEL, flush: constants.Z_SYNC_FLUSH });
      deflate.on('data', (out: Buffer) => socket.writable && socket.write(out));
      deflate.on('error', () => socket.destroy());
      if (rest.length > 0) inflate.write(rest);
    };
    const helloSettled = (reply: Reply, rest: Uint8Array): boolean => {
      helloId = undefined;
      const on = reply.ok && (reply.data as { compress?: string } | undefined)?.compress === 'deflate';
      if (on) compressFrom(rest);
      for (const bytes of waiting.splice(0)) write(bytes);
      return on;
    };
    function readFrames(chunk: Buffer): void {
      for (const out of framer.push(chunk)) {
        // Compressed, an oversize frame ends the connection rather than inflating on to skip it.
        if (out.kind !== 'frame') {
          if (inflate) return void socket.destroy();
          continue;
        }
        let frame: ServerFrame;
        try {
          frame = decodeFrame('json', out.bytes) as unknown as ServerFrame;
        } catch {
          return void socket.destroy();
        }
        queue.push(frame);
        // The bytes after this reply are a deflate stream: a new framer reads them inflated.
        if (helloId !== undefined && 're' in frame && frame.re === helloId && helloSettled(frame, chunk.subarray(out.end))) return;
      }
    }

    socket.on('data', (chunk: Buffer) => (inflate ? inflate.write(chunk) : readFrames(chunk)));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      deflate?.destroy();
      if (!inflate || inflate.destroyed) return void queue.end();
      // The inflater may still hold the server's last frames (why it closed): they come first.
      const last = inflate;
      last.flush(constants.Z_SYNC_FLUSH, () => {
        last.destroy();
        queue.end();
      });
    });
    const transport: Transport = {
      [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
      send(frame) {
        const bytes = Buffer.concat([encodeFrame('json', frame), Buffer.from('\n')]);
        if (helloId !== undefined) return void waiting.push(bytes);
        write(bytes);
        if (frame.cmd === 'hello' && frame.compress === 'deflate' && !deflate) helloId = frame.id ?? null;
      },
      close() {
        if (!deflate) return void socket.end();
        // The deflate stream's last block first, then the socket.
        deflate.once('end', () => socket.end());
        deflate.end();
      },
      channelBinding: () => (socket instanceof TLSSocket ? socket.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0)) : undefined),
      compresses: true,
    };
    return transport;
  };
}
