import type { Diagnostic } from '../errors/index.ts';
import { resourceId, type ResourceIssue } from '../resources/index.ts';
import type { DocumentLocator, UnparsedDocument, ValidationInput } from './types.ts';
import { formatPath } from './written-path.ts';

/**
 * Turns `parseResource` issues into located diagnostics. Issue paths are paths of the document as
 * written (parseResource checks the written form before any conversion), so they go straight to
 * the locator.
 *
 * @example
 * const { issues } = parseResource(doc.value);
 * const diagnostics = schemaDiagnostics(issues, { file: 'models.yaml', locate: doc.locate });
 */
export function schemaDiagnostics(
  issues: readonly ResourceIssue[],
  where: DocumentLocator & { readonly resource?: string | undefined },
): Diagnostic[] {
  return issues.map((issue) => {
    const pos = where.locate(issue.path);
    const path = formatPath(issue.path);
    return {
      severity: issue.severity,
      code: issue.code,
      message: issue.message,
      file: where.file,
      line: pos.line,
      column: pos.column,
      ...(path === '' ? {} : { path }),
      ...(issue.suggestion ? { suggestion: issue.suggestion } : {}),
      ...(where.resource ? { resource: where.resource } : {}),
    };
  });
}

/** Schema findings of parsed resources (their warnings) and of documents that did not parse. */
export function schemaFindings(resources: readonly ValidationInput[], unparsed: readonly UnparsedDocument[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of resources) {
    if (r.issues && r.issues.length > 0) out.push(...schemaDiagnostics(r.issues, { file: r.file, locate: r.locate, resource: resourceId(r.parsed.resource) }));
  }
  for (const d of unparsed) out.push(...schemaDiagnostics(d.issues, d));
  return out;
}

/** Whether a resource's own schema issues include an error (later rules then skip it). */
export function failedSchema(r: ValidationInput): boolean {
  return r.issues?.some((i) => i.severity === 'error') ?? false;
}
