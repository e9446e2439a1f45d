import type { Socket } from 'node:net';
import { constants, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { DEFLATE_WINDOW_BITS } from '@parley/protocol';
import type { ByteSink } from './outbound.ts';

/**
 * zlib's memLevel for the server's deflate streams: with the 2^11 window (DEFLATE_WINDOW_BITS)
 * the compressor holds 2^(11+2) + 2^(4+9) = 16 KiB per connection, zlib's formula; its default
 * (memLevel 8, window 2^15) would hold 256 KiB.
 */
export const DEFLATE_MEM_LEVEL = 4;

/**
 * The sink of a compressed TCP or TLS connection: one raw deflate stream over the socket.
 * The outbound queue writes once per flush, so each flush (however many frames it carries) is
 * compressed and sync-flushed as one: the client can decode everything written so far, and the
 * compressor keeps its window across flushes, which is where repeated keys and names shrink.
 * The encoded frames the queue writes stay the ones shared with uncompressed connections; only
 * this connection's bytes on the wire are its own.
 */
export class DeflateSink implements ByteSink {
  private readonly deflate: DeflateRaw;

  constructor(private readonly socket: Socket) {
    // Z_SYNC_FLUSH as the flush of every write: a frame never waits in the compressor.
    this.deflate = createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS, memLevel: DEFLATE_MEM_LEVEL, flush: constants.Z_SYNC_FLUSH });
    this.deflate.on('data', (out: Buffer) => {
      if (!socket.destroyed) socket.write(out);
    });
    this.deflate.on('error', () => socket.destroy());
    // Frees zlib's memory when the connection goes, not when the collector gets to it.
    socket.once('close', () => this.deflate.destroy());
  }

  write(chunk: Uint8Array): boolean {
    if (this.deflate.destroyed || this.deflate.writableEnded) return false;
    return this.deflate.write(chunk);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /** Bytes not yet compressed count as they are: the outbound cap holds for a compressed reader too. */
  get writableLength(): number {
    return this.deflate.writableLength + this.deflate.readableLength + this.socket.writableLength;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  once(event: 'drain' | 'close', listener: () => void): unknown {
    return this.socket.once(event, listener);
  }

  off(event: 'drain' | 'close', listener: () => void): unknown {
    return this.socket.off(event, listener);
  }

  /** Ends the deflate stream (its last block, after everything written) and then the socket. */
  end(): void {
    if (this.deflate.destroyed) return void this.socket.end();
    this.deflate.once('end', () => this.socket.end());
    this.deflate.end();
  }
}
