/** A resource flowing through the render, with the bookkeeping kustomize keeps beside it. */
export type KObject = Record<string, unknown>;

export interface ResId {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface Resource {
  obj: KObject;
  readonly origin: { file: string; line: number; column: number };
  /** Ids before each rename, oldest first; patch targets and name references match these too. */
  prevIds: ResId[];
  /** Set for generated ConfigMaps/Secrets that get a content-hash suffix at the very end. */
  needsHash: boolean;
  /** Name prefixes/suffixes applied so far, innermost first; name references prefer equal ones. */
  prefixes?: string[];
  suffixes?: string[];
}

export function isObject(v: unknown): v is KObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function splitApiVersion(apiVersion: unknown): { group: string; version: string } {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  const i = s.lastIndexOf('/');
  return i < 0 ? { group: '', version: s } : { group: s.slice(0, i), version: s.slice(i + 1) };
}

export function metadataOf(obj: KObject): KObject {
  const m = obj['metadata'];
  if (isObject(m)) return m;
  const created: KObject = {};
  obj['metadata'] = created;
  return created;
}

export function getName(obj: KObject): string {
  const m = obj['metadata'];
  return isObject(m) && typeof m['name'] === 'string' ? m['name'] : '';
}

export function getNamespace(obj: KObject): string {
  const m = obj['metadata'];
  return isObject(m) && typeof m['namespace'] === 'string' ? m['namespace'] : '';
}

export function getKind(obj: KObject): string {
  return typeof obj['kind'] === 'string' ? obj['kind'] : '';
}

export function curId(obj: KObject): ResId {
  const { group, version } = splitApiVersion(obj['apiVersion']);
  return { group, version, kind: getKind(obj), name: getName(obj), namespace: getNamespace(obj) };
}

/** Kinds kustomize treats as cluster-scoped (kyaml's builtin openapi); CRDs count as namespaced. */
const CLUSTER_SCOPED = new Set([
  'APIService', 'CSIDriver', 'CSINode', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding',
  'ComponentStatus', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'Namespace', 'Node',
  'PersistentVolume', 'PodSecurityPolicy', 'PriorityClass', 'RuntimeClass', 'SelfSubjectAccessReview',
  'SelfSubjectRulesReview', 'StorageClass', 'SubjectAccessReview', 'TokenReview',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'IngressClass', 'FlowSchema',
  'PriorityLevelConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** kustomize compares namespaces with "" and "default" equal. */
export function nsEquals(a: string, b: string): boolean {
  return (a === '' ? 'default' : a) === (b === '' ? 'default' : b);
}

export function gvkEquals(a: ResId, b: ResId): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return gvkEquals(a, b) && a.name === b.name && nsEquals(a.namespace, b.namespace);
}

export function allIds(r: Resource): ResId[] {
  return [curId(r.obj), ...r.prevIds];
}

export function orgId(r: Resource): ResId {
  return r.prevIds[0] ?? curId(r.obj);
}

/** Records the current id before a rename, as kustomize's StorePreviousId does. */
export function storePreviousId(r: Resource): void {
  r.prevIds.push(curId(r.obj));
}

export function idString(id: ResId): string {
  const gv = id.group ? `${id.group}/${id.version}` : id.version;
  return `${gv}, Kind=${id.kind}, ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}
