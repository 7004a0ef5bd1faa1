import type { Diagnostic, ErrorCode, Severity } from '../errors/index.ts';
import { resourceId } from '../resources/index.ts';
import type { FieldPath, ValidationInput } from './types.ts';
import { formatPath, writtenPath } from './written-path.ts';

export interface FindingFields {
  readonly code: ErrorCode;
  readonly message: string;
  readonly severity?: Severity;
  readonly suggestion?: string | undefined;
}

/**
 * A diagnostic about one resource at a field path of its converted (ployd) manifest; file, line,
 * column and the printed path refer to the field as the user wrote it.
 */
export function finding(input: ValidationInput, path: FieldPath, f: FindingFields): Diagnostic {
  const written = writtenPath(input.parsed, path);
  const pos = input.locate(written);
  const printed = formatPath(written);
  return {
    severity: f.severity ?? 'error',
    code: f.code,
    message: f.message,
    file: input.file,
    line: pos.line,
    column: pos.column,
    ...(printed === '' ? {} : { path: printed }),
    ...(f.suggestion ? { suggestion: f.suggestion } : {}),
    resource: resourceId(input.parsed.resource),
  };
}

/** `file:line` of a resource, for messages that point at a second place. */
export function where(input: ValidationInput, path: FieldPath = []): string {
  const pos = path.length === 0 ? input.position : input.locate(writtenPath(input.parsed, path));
  return `${input.file}:${pos.line}`;
}
