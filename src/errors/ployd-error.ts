import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.ts';

/** Structured context an error carries; never put secrets here, it is logged and returned. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The one error family of PloyD. `code` is stable and documented in catalogue.ts.
 *
 * @example
 * throw new PloydError('E_ROUTE_NOT_FOUND', `no route for ${path}`, { path });
 */
export class PloydError extends Error {
  override readonly name = 'PloydError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isPloydError(err: unknown): err is PloydError {
  return err instanceof PloydError;
}

/** HTTP status for any thrown value: the one place codes map to statuses. */
export function httpStatusOf(err: unknown): number {
  return isPloydError(err) ? ERROR_CATALOGUE[err.code].http : 500;
}

/** CLI exit code for any thrown value: the one place codes map to exit codes. */
export function exitCodeOf(err: unknown): number {
  return isPloydError(err) ? ERROR_CATALOGUE[err.code].exit : 2;
}

/** Wraps anything thrown into a PloydError, keeping PloydErrors as they are. */
export function toPloydError(err: unknown, fallback: ErrorCode = 'E_INTERNAL'): PloydError {
  if (isPloydError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PloydError(fallback, message, {}, { cause: err });
}
