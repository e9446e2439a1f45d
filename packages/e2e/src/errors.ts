/**
 * Every way this package refuses something, as a stable code. Callers switch on `code`, never on
 * message text (ts-mls only gives text; src/mls/mls-errors.ts is the one place that reads it).
 *
 * `action` says what a client does with the message or call that failed:
 * - `buffer`: keep the message and try again after the next commit is processed;
 * - `drop`: discard it (log it; a peer or the server misbehaved, or it was meant for another state);
 * - `fix`: the caller's input or call order is wrong;
 * - `resync`: this device's group state cannot follow the group any more (rejoin from a Welcome).
 */
export type E2eErrorAction = 'buffer' | 'drop' | 'fix' | 'resync';

interface E2eErrorSpec {
  readonly action: E2eErrorAction;
  readonly description: string;
}

function spec(action: E2eErrorAction, description: string): E2eErrorSpec {
  return { action, description };
}

export const E2E_ERRORS = {
  E2E_BAD_CREDENTIAL: spec('drop', 'The credential is not a valid Parley device certificate: malformed, not signed by the identity key it names, expired, an identity the trust policy refuses, or an MLS signature key other than the certified device key.'),
  E2E_BAD_KEY_PACKAGE: spec('drop', 'The KeyPackage is malformed, badly signed, or for another protocol version or cipher suite.'),
  E2E_KEY_PACKAGE_LIFETIME: spec('drop', 'The KeyPackage has expired, is not valid yet, or claims a lifetime longer than 90 days.'),
  E2E_BAD_MESSAGE: spec('drop', 'The bytes are not an MLS message of a kind this package accepts.'),
  E2E_WRONG_GROUP: spec('drop', 'The message belongs to another group.'),
  E2E_STALE_EPOCH: spec('drop', "The message is for an epoch this device has left (or is from the previous epoch's sender that is no longer a member)."),
  E2E_FUTURE_EPOCH: spec('buffer', 'The message is for an epoch this device has not reached: process the missing commits first, then retry it.'),
  E2E_DECRYPT_FAILED: spec('drop', 'Decryption or signature verification failed: the message was tampered with or was not encrypted for this state.'),
  E2E_REPLAY: spec('drop', "The message's key was used already: a replay or a duplicate delivery."),
  E2E_INVALID_COMMIT: spec('drop', 'The commit failed validation (proposals, update path, confirmation tag).'),
  E2E_UNSUPPORTED: spec('drop', 'Valid MLS that Parley does not use (standalone proposals, another cipher suite, reinit).'),
  E2E_NOT_MEMBER: spec('resync', 'This device is not (or no longer) a member of the group, or the named device is not in it.'),
  E2E_COMMIT_PENDING: spec('fix', 'A commit of this device awaits the server: confirm or discard it first.'),
  E2E_NO_PENDING_COMMIT: spec('fix', 'There is no pending commit to confirm or discard.'),
  E2E_KEY_NOT_EXTRACTABLE: spec('fix', 'The device key must be extractable: ts-mls 1.6 signs with raw key bytes.'),
  E2E_BAD_KEY: spec('fix', 'A key could not be imported (wrong length, wrong algorithm, malformed text).'),
  E2E_BAD_STATE: spec('resync', 'Saved group state could not be decoded.'),
} as const satisfies Record<string, E2eErrorSpec>;

export type E2eErrorCode = keyof typeof E2E_ERRORS;

/** Why a credential was refused, for logs and for the UI's warning text. */
export type CredentialProblem =
  | 'malformed'
  | 'unsupported-version'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'untrusted-identity'
  | 'key-mismatch';

export class E2eError extends Error {
  override readonly name = 'E2eError';
  readonly code: E2eErrorCode;
  /** Set for E2E_BAD_CREDENTIAL. */
  readonly problem: CredentialProblem | undefined;

  constructor(code: E2eErrorCode, message: string, options?: { cause?: unknown; problem?: CredentialProblem }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problem = options?.problem;
  }

  get action(): E2eErrorAction {
    return E2E_ERRORS[this.code].action;
  }
}

export function isE2eError(error: unknown, code?: E2eErrorCode): error is E2eError {
  return error instanceof E2eError && (code === undefined || error.code === code);
}
