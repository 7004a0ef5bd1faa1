import {
  curId,
  getKind,
  getName,
  getNamespace,
  isClusterScoped,
  isObject,
  metadataOf,
  storePreviousId,
  type Resource,
} from '../resource.ts';

/**
 * kustomize's `namespace:`: sets metadata.namespace on namespaced kinds and, in RoleBindings and
 * ClusterRoleBindings, on subjects named "default" (its hard-coded roleBindingHack).
 */
export function applyNamespace(resources: readonly Resource[], namespace: string): void {
  for (const r of resources) {
    const kind = getKind(r.obj);
    if (!isClusterScoped(kind)) {
      if (getNamespace(r.obj) !== namespace) {
        storePreviousId(r);
        metadataOf(r.obj)['namespace'] = namespace;
      }
    }
    // kustomize's namespace field specs include metadata/name of Namespace objects.
    if (kind === 'Namespace' && getName(r.obj) !== namespace) {
      storePreviousId(r);
      metadataOf(r.obj)['name'] = namespace;
    }
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      const subjects = r.obj['subjects'];
      if (!Array.isArray(subjects)) continue;
      for (const s of subjects) {
        if (!isObject(s)) continue;
        if (s['name'] === 'default') s['namespace'] = namespace;
      }
    }
    if (kind === 'CustomResourceDefinition') {
      const svc = dig(r.obj, ['spec', 'conversion', 'webhook', 'clientConfig', 'service']);
      if (isObject(svc) && 'namespace' in svc) svc['namespace'] = namespace;
    }
    if (kind === 'APIService' && curId(r.obj).group === 'apiregistration.k8s.io') {
      const svc = dig(r.obj, ['spec', 'service']);
      if (isObject(svc)) svc['namespace'] = namespace;
    }
  }
}

function dig(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
