import { sortDiagnostics, type Diagnostic } from '../errors/index.ts';
import { ResourceIndex } from './context.ts';
import { checkPolicies } from './policies/evaluate.ts';
import { checkRepoPaths } from './rego.ts';
import { failedSchema, schemaFindings } from './schema.ts';
import { scanSecrets } from './secrets/scan.ts';
import { checkSemantics } from './semantics/index.ts';
import type { ValidateOptions, ValidationInput } from './types.ts';

function key(d: Diagnostic): string {
  return `${d.file ?? ''}\0${d.line ?? 0}\0${d.column ?? 0}\0${d.code}\0${d.path ?? ''}\0${d.message}`;
}

/**
 * Validates the resources of a config repo: schema findings, semantic rules, CEL policies, the
 * `.rego` check and the secret scan, in that order, as one sorted list. Resources whose schema
 * failed are skipped by the later rules. A finding in a file shared by several environments is
 * reported once.
 *
 * @example
 * const diagnostics = validateResources(loaded, { environment: 'staging', pathExists, files });
 * if (hasErrors(diagnostics)) process.exitCode = 1;
 */
export function validateResources(resources: readonly ValidationInput[], options: ValidateOptions = {}): Diagnostic[] {
  const all: Diagnostic[] = schemaFindings(resources, options.unparsed);
  const valid = resources.filter((r) => !failedSchema(r));
  const index = new ResourceIndex(valid, options);
  all.push(...checkSemantics(valid, index, options));
  all.push(...checkPolicies(valid, options));
  all.push(...checkRepoPaths(options.paths ?? (options.files ?? []).map((f) => f.path)));
  if (options.files) all.push(...scanSecrets(options.files));
  const seen = new Set<string>();
  const unique = all.filter((d) => {
    const k = key(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return sortDiagnostics(unique);
}
