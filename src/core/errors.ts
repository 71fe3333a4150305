/**
 * The one error type Keywitness throws on purpose. Every failure a person can cause (bad input, a
 * rejected message, a refused operation) is a KeywitnessError with a stable `code`; anything else
 * escaping is a bug.
 */

/** Stable error codes. Append only: tools and tests match on them. */
export type ErrorCode =
  // generic input handling
  | 'INPUT_INVALID'
  | 'INPUT_TOO_LARGE'
  | 'ENCODING_INVALID'
  // ceremony script
  | 'SCRIPT_INVALID'
  // wire formats
  | 'CBOR_INVALID'
  | 'MESSAGE_INVALID'
  | 'KEY_INVALID'
  | 'SIGNATURE_INVALID'
  // session and files
  | 'SESSION_REJECTED'
  | 'BUNDLE_INVALID'
  | 'RECEIPT_INVALID'
  // evidence
  | 'EVIDENCE_INVALID'
  | 'EVIDENCE_UNSUPPORTED'
  // QR transfer
  | 'TRANSFER_INVALID'
  | 'TRANSFER_REFUSED'
  // storage and platform
  | 'JOURNAL_CORRUPT'
  | 'IO_FAILED'
  | 'ALREADY_EXISTS'
  | 'IPC_REJECTED'
  | 'POLICY_DENIED'
  // storage and platform (Electron shell)
  | 'JOURNAL_LOCKED'
  | 'STORAGE_FULL'
  | 'STORAGE_READ_ONLY'
  | 'NOT_FOUND';

/** Error with a stable code, a human sentence, and optionally where in the input it happened. */
export class KeywitnessError extends Error {
  override readonly name = 'KeywitnessError';
  readonly code: ErrorCode;
  /** Where the problem is: a YAML path, a byte offset, a file name, a field. */
  readonly where: string | undefined;

  constructor(code: ErrorCode, message: string, options: { where?: string; cause?: unknown } = {}) {
    super(options.where ? `${options.where}: ${message}` : message, { cause: options.cause });
    this.code = code;
    this.where = options.where;
  }
}

/** True when `e` is a KeywitnessError, optionally with the given code. */
export function isKeywitnessError(e: unknown, code?: ErrorCode): e is KeywitnessError {
  return e instanceof KeywitnessError && (code === undefined || e.code === code);
}
