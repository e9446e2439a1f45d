import { CodecError, CryptoError, CryptoVerificationError, ValidationError } from 'ts-mls/mlsError.js';
import { E2eError, isE2eError, type E2eErrorCode } from '../errors.ts';

/**
 * ts-mls reports failures as a few error classes with fixed English messages; a failed AEAD or
 * HPKE open is a CryptoError around WebCrypto's bare `OperationError`, with no hint of why
 * (E2E.md pitfall 3; group-receive.ts checks epochs before it can come to that). This is the one
 * place that reads them. The one message text matched is that of ts-mls 1.6.4, pinned exactly;
 * the replay test fails if an upgrade changes it.
 */
const REPLAY_TEXT = 'Desired gen in the past';

/**
 * Turns whatever a ts-mls call threw into an E2eError. `refusal` is the auth service's recorded
 * reason, which beats ts-mls's "Could not validate credential"; `fallback` is the code for a
 * failure of this operation that has no more specific one.
 */
export function toE2eError(error: unknown, options: { fallback: E2eErrorCode; refusal?: E2eError | undefined; what: string }): E2eError {
  if (options.refusal !== undefined) return options.refusal;
  if (isE2eError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const make = (code: E2eErrorCode) => new E2eError(code, `${options.what}: ${detail}`, { cause: error });
  if (error instanceof ValidationError && error.message === REPLAY_TEXT) return make('E2E_REPLAY');
  if (error instanceof CryptoError) return make('E2E_DECRYPT_FAILED');
  if (error instanceof CodecError) return make('E2E_BAD_MESSAGE');
  if (error instanceof CryptoVerificationError && options.fallback !== 'E2E_INVALID_COMMIT') return make('E2E_DECRYPT_FAILED');
  return make(options.fallback);
}
