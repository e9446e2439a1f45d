import { ERRORS, errorNameForCode, type E2eErrorDetail, type ErrorAction, type ErrorName, type WireError } from '@parley/protocol';

/**
 * Failures that happen on the client side, not reported by a server. The E2E_ ones are end-to-end
 * encryption's (packages/client/src/e2e): the peer has no device keys (send with `plaintext: true`
 * to send anyway), the peer's identity key changed (`e2e.acceptIdentity` after checking), this
 * device was removed from the account's devices, or an MLS operation failed (`cause` has the
 * E2eError and its code).
 */
export type LocalErrorKind =
  | 'TIMEOUT'
  | 'DISCONNECTED'
  | 'CLOSED'
  | 'OUTBOX_FULL'
  | 'HOST_KEY_CHANGED'
  | 'HOST_UNKNOWN'
  | 'CONNECT_FAILED'
  | 'E2E_PEER_UNENCRYPTED'
  | 'E2E_PEER_IDENTITY_CHANGED'
  | 'E2E_DEVICE_REMOVED'
  | 'E2E_FAILED';

/** What the caller has to change before trying again: nothing a retry or reconnect fixes. */
const LOCAL_FIX: ReadonlySet<LocalErrorKind> = new Set(['E2E_PEER_UNENCRYPTED', 'E2E_PEER_IDENTITY_CHANGED', 'E2E_DEVICE_REMOVED', 'E2E_FAILED']);

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
  /** E2E_GROUP_EXISTS, E2E_EPOCH_CONFLICT, E2E_WRONG_EPOCH: the conversation's group and its current epoch. */
  readonly detail: E2eErrorDetail | undefined;

  constructor(
    message: string,
    what: { code: number | undefined; errorName: ErrorName | LocalErrorKind; action: ErrorAction; retryAfterMs?: number | undefined; detail?: E2eErrorDetail | undefined },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = what.code;
    this.errorName = what.errorName;
    this.action = what.action;
    this.retryAfterMs = what.retryAfterMs;
    this.detail = what.detail;
  }

  static fromWire(error: WireError): ParleyClientError {
    const errorName = errorNameForCode(error.code) ?? error.name;
    const action = error.action ?? ERRORS[errorName]?.action ?? 'fix';
    return new ParleyClientError(error.message, { code: error.code, errorName, action, retryAfterMs: error.retryAfterMs, detail: error.detail });
  }

  /** A registry error found on the client before asking the server (which would answer the same). */
  static named(errorName: ErrorName, message: string): ParleyClientError {
    return new ParleyClientError(message, { code: ERRORS[errorName].code, errorName, action: ERRORS[errorName].action });
  }

  static local(kind: LocalErrorKind, message: string, options?: { cause?: unknown }): ParleyClientError {
    const action: ErrorAction = kind === 'HOST_KEY_CHANGED' || kind === 'HOST_UNKNOWN' || kind === 'CLOSED' ? 'stop' : LOCAL_FIX.has(kind) ? 'fix' : 'retry';
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
