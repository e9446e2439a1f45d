/**
 * Compression of a TCP or TLS connection, switched on at `hello` (docs/protocol.md,
 * "Compression"): from the byte after the hello exchange on, each direction is one raw deflate
 * stream (RFC 1951, no zlib or gzip header), sync-flushed (Z_SYNC_FLUSH) after every write so
 * nothing waits in the compressor. Both sides compress with a window of at most 2^11 bytes, so
 * each inflates with that window: the receiver's memory is what the sender chose, bounded.
 *
 * Measured on a stream of 190-byte chat events flushed one at a time: windows of 2^15, 2^12,
 * 2^11 and 2^10 gave 37, 43, 45 and 56 bytes per event; a 2^11 window with zlib memLevel 4
 * costs the compressor 16 KiB, against 256 KiB for zlib's default (2^15, memLevel 8).
 */
export const DEFLATE_WINDOW_BITS = 11;
