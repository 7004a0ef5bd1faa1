import { splitApiVersion, type KObject } from './resource.ts';

/**
 * The slice of the Kubernetes OpenAPI that strategic merge needs: which lists merge by which key
 * (x-kubernetes-patch-merge-key). Lists not described here are replaced, which is also what
 * kustomize does for kinds it has no schema for (CRDs such as LLMDeployment).
 */
export interface MergeSchema {
  readonly fields?: Readonly<Record<string, MergeSchema>>;
  /** For lists: the merge key; absent means the list is replaced. */
  readonly mergeKey?: string;
  readonly items?: MergeSchema;
  /** A list of scalars merged as a set (x-kubernetes-patch-strategy: merge without a key). */
  readonly primitiveMerge?: boolean;
}

const list = (mergeKey: string, items?: MergeSchema): MergeSchema => (items ? { mergeKey, items } : { mergeKey });

const objectMeta: MergeSchema = { fields: { ownerReferences: list('uid'), finalizers: { primitiveMerge: true } } };
const container: MergeSchema = {
  fields: {
    env: list('name'),
    ports: list('containerPort'),
    volumeMounts: list('mountPath'),
    volumeDevices: list('devicePath'),
    resizePolicy: list('resourceName'),
  },
};
const podSpec: MergeSchema = {
  fields: {
    containers: list('name', container),
    initContainers: list('name', container),
    ephemeralContainers: list('name', container),
    volumes: list('name'),
    imagePullSecrets: list('name'),
    hostAliases: list('ip'),
    topologySpreadConstraints: list('topologyKey'),
    resourceClaims: list('name'),
    schedulingGates: list('name'),
  },
};
const podTemplate: MergeSchema = { fields: { metadata: objectMeta, spec: podSpec } };
const workload: MergeSchema = { fields: { metadata: objectMeta, spec: { fields: { template: podTemplate } } } };

const SCHEMAS: Record<string, MergeSchema> = {
  '/Pod': { fields: { metadata: objectMeta, spec: podSpec } },
  '/PodTemplate': { fields: { metadata: objectMeta, template: podTemplate } },
  '/ReplicationController': workload,
  '/Service': { fields: { metadata: objectMeta, spec: { fields: { ports: list('port') } } } },
  '/ServiceAccount': { fields: { metadata: objectMeta, secrets: list('name') } },
  'apps/Deployment': workload,
  'apps/ReplicaSet': workload,
  'apps/DaemonSet': workload,
  'apps/StatefulSet': workload,
  'extensions/Deployment': workload,
  'extensions/ReplicaSet': workload,
  'extensions/DaemonSet': workload,
  'batch/Job': workload,
  'batch/CronJob': {
    fields: {
      metadata: objectMeta,
      spec: { fields: { jobTemplate: { fields: { metadata: objectMeta, spec: { fields: { template: podTemplate } } } } } },
    },
  },
};

const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'extensions', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io']);

export function mergeSchemaFor(obj: KObject): MergeSchema | undefined {
  const { group } = splitApiVersion(obj['apiVersion']);
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  const s = SCHEMAS[`${group}/${kind}`];
  if (s) return s;
  return BUILTIN_GROUPS.has(group) ? { fields: { metadata: objectMeta } } : undefined;
}
