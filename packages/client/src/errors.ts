import { ERRORS, errorNameForCode, type ErrorAction, type ErrorName, type WireError } from '@parley/protocol';

/** Failures that happen on the client side, not reported by a server. */
export type LocalErrorKind = 'TIMEOUT' | 'DISCONNECTED' | 'CLOSED' | 'OUTBOX_FULL' | 'HOST_KEY_CHANGED' | 'HOST_UNKNOWN' | 'CONNECT_FAILED';

/**
 * Every rejected promise of the SDK carries one of these: `code`/`name` from the server's error
 * registry (see docs/errors.md), or a local `kind` for timeouts, disconnects and trust failures.
 */
export class ParleyClientError extends Error {
  override readonly name = 'ParleyClientError';
  readonly code: number | undefined;
  readonly errorName: ErrorName | LocalErrorKind;
  readonly action: ErrorAction;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    what: { code: number | undefined; errorName: ErrorName | LocalErrorKind; action: ErrorAction; retryAfterMs?: number | undefined },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = what.code;
    this.errorName = what.errorName;
    this.action = what.action;
    this.retryAfterMs = what.retryAfterMs;
  }

  static fromWire(error: WireError): ParleyClientError {
    const errorName = errorNameForCode(error.code) ?? error.name;
    return new ParleyClientError(error.message, { code: error.code, errorName, action: error.action ?? ERRORS[errorName]?.action ?? 'fix', retryAfterMs: error.retryAfterMs });
  }

  static local(kind: LocalErrorKind, message: string, options?: { cause?: unknown }): ParleyClientError {
    const action: ErrorAction = kind === 'HOST_KEY_CHANGED' || kind === 'HOST_UNKNOWN' || kind === 'CLOSED' ? 'stop' : 'retry';
    return new ParleyClientError(message, { code: undefined, errorName: kind, action }, options);
  }

  /**
   * Errors after which reconnecting cannot help, read from the registry's action: `stop` (kicked,
   * banned, refused trust) and `fix` (a wrong password, a taken or invalid name: the same login
   * would fail the same way again). Only `retry` errors are worth another connection.
   */
  get isFatal(): boolean {
    return this.action !== 'retry';
  }
}
