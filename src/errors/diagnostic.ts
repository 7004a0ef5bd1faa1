import type { ErrorCode } from './catalogue.ts';

export type Severity = 'error' | 'warning' | 'info';

/**
 * A finding about a config repo or an input, located as precisely as we can: file (relative to
 * the repo root), 1-based line and column, and the field path inside the resource
 * (`spec.models[0].weight`).
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: ErrorCode;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  /** e.g. `did you mean minReplicas?` */
  readonly suggestion?: string;
  /** Which resource the finding is about, `Kind/namespace/name`. */
  readonly resource?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** `file:line:col` or as much of it as is known. */
export function formatLocation(d: Diagnostic): string {
  if (d.file === undefined) return '<input>';
  if (d.line === undefined) return d.file;
  return d.column === undefined ? `${d.file}:${d.line}` : `${d.file}:${d.line}:${d.column}`;
}

/** One human line: `path/file.yaml:12:5 error E_WEIGHTS_SUM spec.models: weights sum to 90`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d);
  const field = d.path ? ` ${d.path}:` : '';
  const hint = d.suggestion ? ` (${d.suggestion})` : '';
  return `${where} ${d.severity} ${d.code}${field} ${d.message}${hint}`;
}

/** Stable order: by file, line, column, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code),
  );
}
