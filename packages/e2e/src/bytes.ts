import { E2eError } from './errors.ts';

/** base64url without padding (RFC 4648 §5), in any JavaScript runtime (no Buffer). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new E2eError('E2E_BAD_KEY', 'not base64url text');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Equality of public data (keys, certificates, message bytes); not meant for secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A fresh copy backed by its own ArrayBuffer: what WebCrypto's BufferSource wants. */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Big-endian writer for this package's own small formats (certificates, saved groups). */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  u8(value: number): this {
    this.parts.push(Uint8Array.of(value));
    return this;
  }

  u64(value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(value));
    this.parts.push(bytes);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  /** A length-prefixed byte string: u32 length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    this.parts.push(length, bytes);
    return this;
  }

  string(text: string): this {
    return this.bytes(new TextEncoder().encode(text));
  }

  finish(): Uint8Array<ArrayBuffer> {
    return concatBytes(...this.parts);
  }
}

/** The reader for ByteWriter's output. Every read past the end throws `failure`'s error. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly input: Uint8Array,
    private readonly failure: () => Error,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.input.length) throw this.failure();
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u64(): number {
    this.need(8);
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.failure();
    return Number(value);
  }

  /** A copy, so nothing returned aliases the input (E2E.md pitfall 4). */
  raw(n: number): Uint8Array<ArrayBuffer> {
    this.need(n);
    const out = this.input.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  bytes(max: number): Uint8Array<ArrayBuffer> {
    this.need(4);
    const length = this.view.getUint32(this.offset);
    this.offset += 4;
    if (length > max) throw this.failure();
    return this.raw(length);
  }

  string(maxBytes: number): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(maxBytes));
    } catch {
      throw this.failure();
    }
  }

  /** How far the reader got: a canonical decoder refuses trailing bytes. */
  get position(): number {
    return this.offset;
  }

  end(): void {
    if (this.offset !== this.input.length) throw this.failure();
  }
}
