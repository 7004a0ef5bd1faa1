import type { Diagnostic } from '../errors/index.ts';
import type { ResourceIssue } from '../resources/index.ts';
import type { SourcePosition } from './types.ts';

/** `['spec', 'models', 0, 'weight']` → `spec.models[0].weight`, the notation diagnostics use. */
export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** Places a resource issue in its file, at the field it is about (or the nearest ancestor). */
export function issueToDiagnostic(
  issue: ResourceIssue,
  file: string,
  locate: (path: readonly (string | number)[]) => SourcePosition,
  resource?: string,
): Diagnostic {
  const pos = locate(issue.path);
  return {
    severity: issue.severity,
    code: issue.code,
    message: issue.message,
    file,
    line: pos.line,
    column: pos.column,
    ...(issue.path.length > 0 ? { path: formatFieldPath(issue.path) } : {}),
    ...(issue.suggestion ? { suggestion: issue.suggestion } : {}),
    ...(resource ? { resource } : {}),
  };
}
