import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The one-time operator password for `/oper <password>`: random, announced through `announce`
 * at start and at every rotation (the CLI prints it to stdout), compared in constant time. It
 * is for operators who have no account on the server machine to be granted from; using it
 * elevates one connection, not an account.
 */
export class OperPassword {
  private current: Buffer;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly announce: (password: string) => void) {
    this.current = this.generate();
  }

  /** Rotates every `minutes` until stopped. */
  start(minutes: number): () => void {
    this.timer = setInterval(() => {
      this.current = this.generate();
    }, minutes * 60_000);
    this.timer.unref();
    return () => clearInterval(this.timer);
  }

  /** Replaces the password now: after every successful use, so each password works once. */
  rotate(): void {
    this.current = this.generate();
  }

  /** Hashing both sides first gives equal lengths, so timingSafeEqual leaks nothing about length. */
  verify(candidate: string): boolean {
    const digest = (value: Buffer | string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(candidate), digest(this.current));
  }

  private generate(): Buffer {
    const password = randomBytes(18).toString('base64url');
    this.announce(password);
    return Buffer.from(password);
  }
}
