import { getKind, metadataOf, orgId, storePreviousId, type Resource } from '../resource.ts';

// kustomize never renames these (prefixSuffixFieldSpecsToSkip).
function skip(r: Resource): boolean {
  const id = orgId(r);
  return id.kind === 'CustomResourceDefinition' || id.kind === 'Namespace' || (id.kind === 'APIService' && id.group === 'apiregistration.k8s.io');
}

export function applyNamePrefixSuffix(resources: readonly Resource[], prefix: string, suffix: string): void {
  if (prefix === '' && suffix === '') return;
  for (const r of resources) {
    if (skip(r) || getKind(r.obj) === '') continue;
    const meta = metadataOf(r.obj);
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    storePreviousId(r);
    meta['name'] = `${prefix}${name}${suffix}`;
    if (prefix) (r.prefixes ??= []).push(prefix);
    if (suffix) (r.suffixes ??= []).push(suffix);
  }
}
