import {
  curId,
  getKind,
  isClusterScoped,
  isObject,
  nsEquals,
  type Resource,
} from '../resource.ts';
import { applyFieldSpecs, type FieldSpec } from './field-specs.ts';

/** A kind whose renames must be followed by the fields (in other kinds) that name it. */
interface NameRefRule {
  readonly kind: string;
  readonly group?: string;
  readonly fieldSpecs: readonly FieldSpec[];
}

// Pod-spec-bearing kinds and where their pod spec sits (kustomize namereference.go).
const POD_HOLDERS: ReadonlyArray<readonly [string, string]> = [
  ['Pod', 'spec'],
  ['PodTemplate', 'template/spec'],
  ['Deployment', 'spec/template/spec'],
  ['ReplicaSet', 'spec/template/spec'],
  ['DaemonSet', 'spec/template/spec'],
  ['StatefulSet', 'spec/template/spec'],
  ['Job', 'spec/template/spec'],
  ['CronJob', 'spec/jobTemplate/spec/template/spec'],
  ['ReplicationController', 'spec/template/spec'],
];

function podPaths(subPaths: readonly string[], kinds = POD_HOLDERS): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [kind, base] of kinds) for (const p of subPaths) out.push({ kind, path: `${base}/${p}` });
  return out;
}

const WITHOUT_RC = POD_HOLDERS.filter(([k]) => k !== 'ReplicationController');

const RULES: readonly NameRefRule[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    kind,
    fieldSpecs: [{ kind: 'HorizontalPodAutoscaler', path: 'spec/scaleTargetRef/name' }],
  })),
  {
    kind: 'ConfigMap',
    fieldSpecs: [
      ...podPaths(
        [
          'volumes/configMap/name',
          'containers/env/valueFrom/configMapKeyRef/name',
          'initContainers/env/valueFrom/configMapKeyRef/name',
          'containers/envFrom/configMapRef/name',
          'initContainers/envFrom/configMapRef/name',
          'volumes/projected/sources/configMap/name',
        ],
        WITHOUT_RC,
      ),
      { kind: 'Node', path: 'spec/configSource/configMap' },
      { kind: 'Role', path: 'rules/resourceNames' },
      { kind: 'ClusterRole', path: 'rules/resourceNames' },
      { kind: 'Ingress', path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap' },
    ],
  },
  {
    kind: 'Secret',
    fieldSpecs: [
      ...podPaths(
        [
          'volumes/secret/secretName',
          'containers/env/valueFrom/secretKeyRef/name',
          'initContainers/env/valueFrom/secretKeyRef/name',
          'containers/envFrom/secretRef/name',
          'initContainers/envFrom/secretRef/name',
          'imagePullSecrets/name',
          'volumes/projected/sources/secret/name',
        ],
        WITHOUT_RC,
      ),
      { kind: 'Ingress', path: 'spec/tls/secretName' },
      { kind: 'Ingress', path: 'metadata/annotations/ingress.kubernetes.io\\/auth-secret' },
      { kind: 'Ingress', path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret' },
      { kind: 'Ingress', path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret' },
      { kind: 'ServiceAccount', path: 'imagePullSecrets/name' },
      { kind: 'StorageClass', path: 'parameters/secretName' },
      { kind: 'StorageClass', path: 'parameters/adminSecretName' },
      { kind: 'StorageClass', path: 'parameters/userSecretName' },
      { kind: 'StorageClass', path: 'parameters/secretRef' },
      { kind: 'Role', path: 'rules/resourceNames' },
      { kind: 'ClusterRole', path: 'rules/resourceNames' },
      { kind: 'Service', group: 'serving.knative.dev', version: 'v1', path: 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name' },
      { kind: 'PersistentVolume', path: 'spec/azureFile/secretName' },
    ],
  },
  {
    kind: 'Service',
    fieldSpecs: [
      { kind: 'StatefulSet', group: 'apps', path: 'spec/serviceName' },
      { kind: 'Ingress', path: 'spec/rules/http/paths/backend/serviceName' },
      { kind: 'Ingress', path: 'spec/backend/serviceName' },
      { kind: 'Ingress', path: 'spec/rules/http/paths/backend/service/name' },
      { kind: 'Ingress', path: 'spec/defaultBackend/service/name' },
      { kind: 'APIService', group: 'apiregistration.k8s.io', path: 'spec/service/name' },
      { kind: 'ValidatingWebhookConfiguration', group: 'admissionregistration.k8s.io', path: 'webhooks/clientConfig/service' },
      { kind: 'MutatingWebhookConfiguration', group: 'admissionregistration.k8s.io', path: 'webhooks/clientConfig/service' },
      { kind: 'HTTPRoute', path: 'spec/rules/backendRefs/name' },
    ],
  },
  { kind: 'Role', group: 'rbac.authorization.k8s.io', fieldSpecs: [{ kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', path: 'roleRef/name' }] },
  {
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    fieldSpecs: [
      { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', path: 'roleRef/name' },
      { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', path: 'roleRef/name' },
    ],
  },
  {
    kind: 'ServiceAccount',
    fieldSpecs: [
      { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', path: 'subjects' },
      { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', path: 'subjects' },
      ...podPaths(['serviceAccountName'], POD_HOLDERS.filter(([k]) => k !== 'PodTemplate' && k !== 'ReplicaSet')),
    ],
  },
  {
    kind: 'PersistentVolumeClaim',
    fieldSpecs: podPaths(['volumes/persistentVolumeClaim/claimName'], POD_HOLDERS.filter(([k]) => k !== 'PodTemplate' && k !== 'ReplicaSet')),
  },
  {
    kind: 'PersistentVolume',
    fieldSpecs: [
      { kind: 'PersistentVolumeClaim', path: 'spec/volumeName' },
      { kind: 'ClusterRole', path: 'rules/resourceNames' },
    ],
  },
  {
    kind: 'StorageClass',
    fieldSpecs: [
      { kind: 'PersistentVolume', path: 'spec/storageClassName' },
      { kind: 'PersistentVolumeClaim', path: 'spec/storageClassName' },
      { kind: 'StatefulSet', path: 'spec/volumeClaimTemplates/spec/storageClassName' },
    ],
  },
  {
    kind: 'PriorityClass',
    fieldSpecs: podPaths(['priorityClassName'], POD_HOLDERS.filter(([k]) => k !== 'PodTemplate' && k !== 'ReplicaSet')),
  },
  { kind: 'IngressClass', fieldSpecs: [{ kind: 'Ingress', path: 'spec/ingressClassName' }] },
];

/** Resources of one kind that were renamed, indexed by every earlier name. */
type Index = Map<string, Map<string, Resource[]>>;

function buildIndex(resources: readonly Resource[]): Index {
  const index: Index = new Map();
  for (const r of resources) {
    if (r.prevIds.length === 0) continue;
    const cur = curId(r.obj);
    let byName = index.get(cur.kind);
    if (!byName) {
      byName = new Map<string, Resource[]>();
      index.set(cur.kind, byName);
    }
    const names = new Set(r.prevIds.filter((id) => id.kind === cur.kind).map((id) => id.name));
    // RoleBinding subjects also carry the namespace, so a ServiceAccount that only moved
    // namespace must still be found under its unchanged name.
    const moved = cur.kind === 'ServiceAccount' && r.prevIds.some((id) => !nsEquals(id.namespace, cur.namespace));
    for (const n of names) {
      if (n === cur.name && !moved) continue;
      const list = byName.get(n);
      if (list) list.push(r);
      else byName.set(n, [r]);
    }
  }
  return index;
}

function pickReferral(referrer: Resource, candidates: readonly Resource[] | undefined, group: string | undefined): Resource | undefined {
  if (!candidates) return undefined;
  const refId = curId(referrer.obj);
  const filtered = candidates.filter((c) => {
    const id = curId(c.obj);
    if (group !== undefined && id.group !== group) return false;
    if (isClusterScoped(refId.kind) || isClusterScoped(id.kind) || id.kind === 'ServiceAccount') return true;
    return nsEquals(refId.namespace, id.namespace);
  });
  if (filtered.length === 0) return undefined;
  if (filtered.length > 1 && id2(filtered)) {
    // Same rule as kustomize's prefix/suffix sieve: a reference resolves to the candidate that
    // went through the same name prefixes and suffixes as the referrer (e.g. sibling overlays).
    const same = filtered.filter(
      (c) => sameEnding(c.prefixes ?? [], referrer.prefixes ?? []) && sameEnding(c.suffixes ?? [], referrer.suffixes ?? []),
    );
    if (same.length >= 1) return same[0];
    // Ambiguous: prefer one in the referrer's own namespace, as kustomize's sieve does.
    const sameNs = filtered.find((c) => nsEquals(curId(c.obj).namespace, refId.namespace));
    return sameNs ?? filtered[0];
  }
  return filtered[0];
}

function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 1; i <= n; i++) if (a[a.length - i] !== b[b.length - i]) return false;
  return true;
}

function id2(list: readonly Resource[]): boolean {
  return new Set(list.map((r) => curId(r.obj).name)).size > 1;
}

/** Rewrites references to renamed resources (kustomize's FixBackReferences). */
export function fixNameReferences(resources: readonly Resource[]): void {
  const index = buildIndex(resources);
  if (index.size === 0) return;
  for (const rule of RULES) {
    const byName = index.get(rule.kind);
    // No renamed resource of this kind (a namespace change alone keeps names): nothing to rewrite.
    if (!byName || byName.size === 0) continue;
    for (const referrer of resources) {
      applyFieldSpecs(referrer.obj, rule.fieldSpecs, (parent, key) => {
        const v = parent[key];
        if (typeof v === 'string') {
          const target = pickReferral(referrer, byName.get(v), rule.group);
          if (target) parent[key] = curId(target.obj).name;
        } else if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const item: unknown = v[i];
            if (typeof item === 'string') {
              const target = pickReferral(referrer, byName.get(item), rule.group);
              if (target) v[i] = curId(target.obj).name;
            } else if (isObject(item) && rule.kind === 'ServiceAccount') {
              fixObjectRef(referrer, item, byName, rule, true);
            }
          }
        } else if (isObject(v)) {
          fixObjectRef(referrer, v, byName, rule, false);
        }
      });
    }
  }
}

function fixObjectRef(
  referrer: Resource,
  ref: Record<string, unknown>,
  byName: Map<string, Resource[]>,
  rule: NameRefRule,
  isSubject: boolean,
): void {
  if (isSubject && ref['kind'] !== 'ServiceAccount') return;
  const name = ref['name'];
  if (typeof name !== 'string') return;
  const candidates = byName.get(name)?.filter((c) => {
    if (typeof ref['namespace'] !== 'string') return true;
    const ns = ref['namespace'];
    return [curId(c.obj), ...c.prevIds].some((id) => nsEquals(id.namespace, ns));
  });
  const target = pickReferral(referrer, candidates, rule.group);
  if (!target) return;
  const id = curId(target.obj);
  ref['name'] = id.name;
  if (typeof ref['namespace'] === 'string' && id.namespace !== '') ref['namespace'] = id.namespace;
  void getKind;
}
