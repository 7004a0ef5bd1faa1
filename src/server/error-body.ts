import { z } from 'zod';
import { ERROR_CATALOGUE, PloydError, httpStatusOf, toPloydError, type ErrorCode } from '../errors/index.ts';

/** One field-level problem of a request, with the path as users write it (`spec.models[0].weight`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** The JSON every error response carries; PloydClient maps it back to a PloydError. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
    readonly issues?: readonly FieldIssue[];
  };
}

export const FieldIssueSchema = z.object({ path: z.string(), message: z.string() });
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    issues: z.array(FieldIssueSchema).optional(),
  }),
});

/** `['spec', 'models', 0, 'weight']` → `spec.models[0].weight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** An E_VALIDATION error carrying its field issues (they travel in `details.issues`). */
export function validationError(issues: readonly FieldIssue[], message?: string): PloydError {
  const first = issues[0];
  const summary = message ?? (first ? `${first.path || '(root)'}: ${first.message}` : 'invalid request');
  return new PloydError('E_VALIDATION', summary, { issues });
}

/** Issues from the SDK carry paths as segment arrays and may suggest a name; the wire has one shape. */
function normalizeIssues(issues: readonly unknown[]): FieldIssue[] {
  return issues.map((raw) => {
    const i = (raw ?? {}) as { path?: unknown; message?: unknown; suggestion?: unknown };
    const path = Array.isArray(i.path) ? formatPath(i.path as PropertyKey[]) : typeof i.path === 'string' ? i.path : '';
    const message = typeof i.message === 'string' ? i.message : 'invalid';
    return { path, message: typeof i.suggestion === 'string' ? `${message} (${i.suggestion})` : message };
  });
}

/**
 * Maps anything thrown to a status and body: the one place server errors become HTTP. 5xx bodies
 * never carry the internal message (it may hold SQL or paths); it is logged instead.
 */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const pe = toPloydError(err);
  const status = httpStatusOf(pe);
  const internal = !(err instanceof PloydError) || status >= 500;
  const issues = Array.isArray(pe.details.issues) ? normalizeIssues(pe.details.issues as unknown[]) : undefined;
  const details = Object.fromEntries(Object.entries(pe.details).filter(([k]) => k !== 'issues'));
  const message = internal && status >= 500 ? ERROR_CATALOGUE[pe.code].summary : pe.message;
  return {
    status,
    internal,
    body: {
      error: {
        code: pe.code,
        message,
        ...(!internal && Object.keys(details).length > 0 ? { details } : {}),
        ...(issues ? { issues } : {}),
      },
    },
  };
}
