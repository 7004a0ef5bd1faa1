import { curId, type ResId } from './resource.ts';

// kustomize's legacy sort (api/internal/builtins/SortOrderTransformer.go), which
// `kubectl kustomize` applies by default.
const ORDER_FIRST = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount',
  'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret',
  'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim',
  'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

const TYPE_ORDER = new Map<string, number>([
  ...ORDER_FIRST.map((k, i): [string, number] => [k, -ORDER_FIRST.length + i]),
  ...ORDER_LAST.map((k, i): [string, number] => [k, 1 + i]),
]);

function gvkString(id: ResId): string {
  return `${id.group || '~G'}_${id.version || '~V'}_${id.kind || '~K'}`;
}

function idString(id: ResId): string {
  return `${gvkString(id)}|${id.namespace || '~X'}|${id.name || '~N'}`;
}

// Go compares strings bytewise (UTF-8); so do we. UTF-8 byte order is code point order, which
// UTF-16 unit order matches below the surrogates, so only there are the bytes compared.
function goLess(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 || cb >= 0xd800) return Buffer.compare(Buffer.from(a), Buffer.from(b));
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

export function legacyCompare(a: ResId, b: ResId): number {
  const ga = gvkString(a);
  const gb = gvkString(b);
  if (ga !== gb) {
    const ia = TYPE_ORDER.get(a.kind) ?? 0;
    const ib = TYPE_ORDER.get(b.kind) ?? 0;
    if (ia !== ib) return ia - ib;
    return goLess(ga, gb);
  }
  return goLess(idString(a), idString(b));
}

export function legacySort<T extends { obj: Record<string, unknown> }>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, id: curId(item.obj) }));
  keyed.sort((x, y) => legacyCompare(x.id, y.id));
  return keyed.map((k) => k.item);
}
