import type { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { parseResource, type PloydResource, type ResourceIssue } from '../../resources/index.ts';

export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly code?: string;
  readonly suggestion?: string;
}

function fieldPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** E_VALIDATION naming the first field; every issue with its path is in details.issues. */
export function validationError(what: string, issues: readonly ValidationIssue[]): PloydError {
  const first = issues[0];
  const head = first ? `${fieldPath(first.path)}: ${first.message}${first.suggestion ? ` (${first.suggestion})` : ''}` : 'invalid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new PloydError('E_VALIDATION', `invalid ${what}: ${head}${more}`, { issues });
}

/** Parses SDK arguments with zod; E_VALIDATION with field paths on failure. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationError(
    what,
    r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message, code: i.code })),
  );
}

/**
 * Parses a manifest with the resource schemas (converting foreign kinds) and requires one kind.
 * Unknown fields are refused: an API call is not a config repo, a typo must not pass silently.
 */
export function parseManifest<K extends PloydResource['kind']>(raw: unknown, kind: K): { resource: Extract<PloydResource, { kind: K }>; manifest: Record<string, unknown> } {
  const { parsed, issues } = parseResource(raw);
  const bad = issues.filter((i: ResourceIssue) => i.severity === 'error' || i.code === 'W_UNKNOWN_FIELD');
  if (bad.length > 0 || !parsed) {
    throw validationError(
      kind,
      (bad.length > 0 ? bad : issues).map((i) => ({ path: i.path, message: i.message, code: i.code, ...(i.suggestion ? { suggestion: i.suggestion } : {}) })),
    );
  }
  if (parsed.passthrough || parsed.resource.kind !== kind) {
    throw validationError(kind, [{ path: ['kind'], message: `expected kind ${kind}, got ${parsed.resource.kind}` }]);
  }
  return { resource: parsed.resource as Extract<PloydResource, { kind: K }>, manifest: parsed.manifest };
}
