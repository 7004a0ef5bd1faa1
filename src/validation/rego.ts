import type { Diagnostic } from '../errors/index.ts';

/**
 * A `.rego` file in a config repo is reported, never silently ignored: PloyD evaluates CEL
 * `Policy` resources, and a Rego rule that nobody enforces is worse than none.
 */
export function checkRepoPaths(paths: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const file of paths) {
    if (!file.toLowerCase().endsWith('.rego')) continue;
    out.push({
      severity: 'error',
      code: 'E_REGO_UNSUPPORTED',
      message: `Rego policy ${file} is not evaluated by PloyD`,
      file,
      line: 1,
      column: 1,
      suggestion: 'rewrite it as a ployd.ai/v1 Policy with CEL validations (see docs/validation.md) and delete the .rego file',
    });
  }
  return out;
}
