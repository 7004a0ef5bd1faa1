import type { Diagnostic, ErrorCode } from '../../errors/index.ts';
import { PloydError } from '../../errors/index.ts';

/** Where a finding sits; `file` is repo-relative. */
export interface Location {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * Rendering stops at the first error, like kustomize does; throwing keeps the transformer code
 * free of error plumbing, and `render.ts` turns the throw into a Diagnostic at the boundary.
 */
export function fail(code: ErrorCode, message: string, where: Location = {}): never {
  throw new PloydError(code, message, { ...where });
}

export function toDiagnostic(err: unknown): Diagnostic {
  if (err instanceof PloydError) {
    const d = err.details;
    const out: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
      severity: 'error',
      code: err.code,
      message: err.message,
    };
    if (typeof d['file'] === 'string') out.file = d['file'];
    if (typeof d['line'] === 'number') out.line = d['line'];
    if (typeof d['column'] === 'number') out.column = d['column'];
    if (typeof d['path'] === 'string') out.path = d['path'];
    return out;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { severity: 'error', code: 'E_INTERNAL', message };
}
