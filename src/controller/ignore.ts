import type { Diagnostic } from '../errors/index.ts';
import type { Application } from '../resources/index.ts';
import { PLOYD_GROUP, type IgnoreRule } from './diff.ts';

/**
 * An Application's `ignoreDifferences` as diff rules, with Argo CD's matching (group and kind
 * globs, optional exact name and namespace). An absent group is `ployd.ai` here; the Argo CD
 * converter writes `""` (the core group) explicitly, so an Argo CD app means what it meant there.
 * `jqPathExpressions` and `managedFieldsManagers` are not implemented: an app using them is
 * refused with a diagnostic naming the field, rather than compared on more fields than its author
 * asked (which would show drift and self-heal fields meant to be ignored). Pure.
 */
export function ignoreRulesOf(app: Application): { rules: IgnoreRule[]; diagnostics: Diagnostic[] } {
  const rules: IgnoreRule[] = [];
  const diagnostics: Diagnostic[] = [];
  app.spec.ignoreDifferences.forEach((d, i) => {
    for (const field of ['jqPathExpressions', 'managedFieldsManagers'] as const) {
      if ((d[field]?.length ?? 0) > 0) {
        diagnostics.push({
          severity: 'error',
          code: 'E_NOT_IMPLEMENTED_HERE',
          message: `application ${app.metadata.name}: spec.ignoreDifferences[${i}].${field} is not supported by the PloyD controller`,
          path: `spec.ignoreDifferences[${i}].${field}`,
          resource: `Application/${app.metadata.namespace ?? ''}/${app.metadata.name}`,
          suggestion: 'use jsonPointers (RFC 6901), e.g. /spec/replicas',
        });
      }
    }
    rules.push({
      group: d.group ?? PLOYD_GROUP,
      kind: d.kind,
      ...(d.name !== undefined ? { name: d.name } : {}),
      ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
      jsonPointers: d.jsonPointers,
    });
  });
  return { rules, diagnostics };
}
