import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { LengthPrefixFramer, lengthPrefix, ParleyError } from '@parley/protocol';
import { pack, unpack } from 'msgpackr';
import type { Logger } from 'pino';
import { TokenBucket } from '../core/rate-limit.ts';
import { verifySigned } from './envelope.ts';
import { LinkFrameSchema, type FrameOf, type LinkFrame } from './link-frames.ts';
import type { ServerIdentity } from './server-identity.ts';

/** The TLS exporter label that binds a link's proofs to its TLS session (RFC 5705 / 8446 7.5). */
const EXPORTER_LABEL = 'EXPORTER-parley-federation-link';
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface LinkPeer {
  id: string;
  name: string;
}

export interface LinkLimits {
  maxFrameBytes: number;
  framesPerSecond: number;
}

/** Signed by each end: its own id and nonce, then the other's, over the TLS session's exporter. */
function proofBytes(exporter: string, signer: { id: string; nonce: string }, other: { id: string; nonce: string }): Buffer {
  return Buffer.from(JSON.stringify(['parley-link-v1', exporter, signer.id, signer.nonce, other.id, other.nonce]));
}

/**
 * One authenticated server-to-server connection over TLS 1.3. Certificates are not what proves
 * who is at the other end (servers make self-signed ones): each side signs a proof with its
 * Ed25519 server key over a value only this TLS session has (the exporter), so a proof cannot be
 * replayed on another connection, and the id it proves is the key itself (server-identity.ts).
 */
export class Link {
  peer: LinkPeer | undefined;
  closed = false;
  readonly direction: 'in' | 'out';
  #onFrame: ((frame: LinkFrame) => void) | undefined;
  readonly #closeHandlers: ((reason: string) => void)[] = [];
  readonly #framer: LengthPrefixFramer;
  readonly #rate: TokenBucket;

  constructor(
    readonly socket: TLSSocket,
    private readonly options: { identity: ServerIdentity; name: string; limits: LinkLimits; log: Logger; direction: 'in' | 'out' },
  ) {
    this.direction = options.direction;
    this.#framer = new LengthPrefixFramer(options.limits.maxFrameBytes);
    this.#rate = new TokenBucket(options.limits.framesPerSecond * 60, options.limits.framesPerSecond * 2);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', (err) => this.#closed(`socket error: ${err.message}`));
    socket.on('close', () => this.#closed('closed by the peer'));
  }

  /**
   * Hello, then proof, both ways. `admit` decides whether this peer may link (pins, deny and
   * allow lists, names): its error is sent to the peer and the link closed.
   */
  handshake(admit: (peer: LinkPeer) => ParleyError | undefined): Promise<LinkPeer> {
    const { identity, name } = this.options;
    const nonce = randomBytes(32).toString('base64url');
    return new Promise<LinkPeer>((resolve, reject) => {
      const timer = setTimeout(() => fail(new ParleyError('FEDERATION_BAD_FRAME', 'the link handshake did not finish in time')), HANDSHAKE_TIMEOUT_MS);
      let hello: FrameOf<'hello'> | undefined;
      const fail = (error: ParleyError) => {
        clearTimeout(timer);
        this.close(error);
        reject(error);
      };
      this.onClose((reason) => fail(new ParleyError('FEDERATION_UNREACHABLE', `the link closed during its handshake: ${reason}`)));
      this.#onFrame = (frame) => {
        if (!hello) {
          if (frame.t !== 'hello') return fail(new ParleyError('FEDERATION_BAD_FRAME', `expected hello, got ${frame.t}`));
          if (frame.id === identity.id) return fail(new ParleyError('FEDERATION_PEER_REFUSED', 'a server cannot link to itself'));
          const refusal = admit({ id: frame.id, name: frame.name });
          if (refusal) return fail(refusal);
          hello = frame;
          const exporter = this.#exporter();
          this.send({ t: 'proof', sig: identity.sign(proofBytes(exporter, { id: identity.id, nonce }, { id: frame.id, nonce: frame.nonce })) });
          return;
        }
        if (frame.t !== 'proof') return fail(new ParleyError('FEDERATION_BAD_FRAME', `expected proof, got ${frame.t}`));
        const bytes = proofBytes(this.#exporter(), { id: hello.id, nonce: hello.nonce }, { id: identity.id, nonce });
        if (!verifySigned(hello.id, bytes, frame.sig)) return fail(new ParleyError('FEDERATION_BAD_SIGNATURE', 'the link proof does not verify for the server id it claims'));
        clearTimeout(timer);
        this.#closeHandlers.length = 0;
        this.#onFrame = undefined;
        this.peer = { id: hello.id, name: hello.name };
        resolve(this.peer);
      };
      this.send({ t: 'hello', v: 1, id: identity.id, name, nonce });
    });
  }

  #exporter(): string {
    return this.socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)).toString('base64url');
  }

  /** Frames after the handshake. */
  listen(handler: (frame: LinkFrame) => void): void {
    this.#onFrame = handler;
  }

  onClose(handler: (reason: string) => void): void {
    this.#closeHandlers.push(handler);
  }

  send(frame: LinkFrame): void {
    if (this.closed) return;
    this.socket.write(lengthPrefix(pack(frame)));
  }

  /** Bytes written and not yet sent: callers that stream a backlog wait while it is high. */
  get backlog(): number {
    return this.socket.writableLength;
  }

  whenDrained(): Promise<void> {
    return this.closed || this.socket.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => {
      const done = () => resolve();
      this.socket.once('drain', done);
      this.onClose(done);
    });
  }

  /** Tells the peer why (when there is a reason to give), then closes. */
  close(error?: ParleyError): void {
    if (this.closed) return;
    if (error) {
      this.send({ t: 'error', code: error.errorName, message: error.message.slice(0, 1024) });
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.socket.destroy();
    }
    this.#closed(error ? `${error.errorName}: ${error.message}` : 'closed here');
  }

  #closed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const handler of this.#closeHandlers.splice(0)) handler(reason);
  }

  #data(chunk: Buffer): void {
    for (const out of this.#framer.push(chunk)) {
      if (this.closed) return;
      if (out.kind === 'error') return this.#bad(new ParleyError(out.error === 'FRAME_TOO_LARGE' ? 'FEDERATION_LIMIT' : 'FEDERATION_BAD_FRAME', `link frame: ${out.error}`));
      if (this.#rate.take() > 0) return this.#bad(new ParleyError('FEDERATION_LIMIT', `more than ${this.options.limits.framesPerSecond} frames per second`));
      let frame: LinkFrame;
      try {
        const parsed = LinkFrameSchema.safeParse(unpack(out.bytes));
        if (!parsed.success) return this.#bad(new ParleyError('FEDERATION_BAD_FRAME', `invalid link frame: ${parsed.error.issues[0]?.message ?? 'schema'} at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`));
        frame = parsed.data;
      } catch {
        return this.#bad(new ParleyError('FEDERATION_BAD_FRAME', 'a link frame is not MessagePack'));
      }
      if (frame.t === 'error') {
        this.options.log.warn({ peer: this.peer?.name, code: frame.code, message: frame.message }, 'federation peer closed the link with an error');
        this.#closed(`${frame.code}: ${frame.message}`);
        return;
      }
      this.#onFrame?.(frame);
    }
  }

  #bad(error: ParleyError): void {
    this.options.log.warn({ peer: this.peer?.name ?? this.socket.remoteAddress, code: error.errorName, err: error.message }, 'federation link: bad input, closing');
    this.close(error);
  }
}
