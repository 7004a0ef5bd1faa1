import { stringify } from 'yaml';
import { PloydError } from '../../errors/index.ts';
import { PLOYD_API_VERSION, type AnyResource, type GatewayRoute, type ModelDeployment, type PloydResource } from '../../resources/index.ts';
import { horizontalPodAutoscaler, podDisruptionBudget, scaledObject } from './autoscaler.ts';
import { serverContainer } from './container.ts';
import { gatewayConfigMap } from './gateway-config.ts';
import { selectorLabels } from './labels.ts';
import { resolveOptions, type KubernetesRenderOptions, type ResolvedRenderOptions } from './options.ts';
import { service, serviceMonitor } from './service.ts';
import { topology } from './topology.ts';
import { containerPort, deployment, isAutoscaled, leaderWorkerSet, servingSelector } from './workload.ts';

/** A rendered Kubernetes object: plain JSON, ready for YAML or server-side apply. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

function namespaceOf(md: { metadata: { namespace?: string | undefined } }, o: ResolvedRenderOptions): string {
  return o.namespace ?? md.metadata.namespace ?? 'default';
}

/**
 * One ModelDeployment as Kubernetes objects, in apply order: Service, Deployment (or
 * LeaderWorkerSet when a replica spans nodes), PodDisruptionBudget, HorizontalPodAutoscaler or
 * KEDA ScaledObject (when autoscaled), ServiceMonitor (when asked for). Pure; throws a PloydError
 * (E_TENSOR_PARALLEL, E_K8S_RENDER) for specs that cannot run.
 *
 * @example
 * const objects = renderModelDeployment(md, { namespace: 'production', autoscaler: 'keda' });
 */
export function renderModelDeployment(md: ModelDeployment, options: KubernetesRenderOptions = {}): KubernetesObject[] {
  const o = resolveOptions(options);
  const ns = namespaceOf(md, o);
  const t = topology(md, o);
  const c = serverContainer(md, containerPort(md), o);
  const out: Record<string, unknown>[] = [];
  out.push(service(md, ns, servingSelector(md, t), c.metricsPath !== undefined));
  out.push(t.multiNode ? leaderWorkerSet(md, ns, t, o) : deployment(md, ns, t, o));
  out.push(podDisruptionBudget(md, ns, selectorLabels(md), t.podsPerReplica));
  if (isAutoscaled(md)) out.push(o.autoscaler === 'keda' ? scaledObject(md, ns, t.multiNode, c, o) : horizontalPodAutoscaler(md, ns, t.multiNode));
  const monitoring = md.spec.monitoring;
  if ((monitoring?.enabled ?? true) && monitoring?.serviceMonitor?.enabled && c.metricsPath !== undefined) {
    out.push(serviceMonitor(md, ns, c.metricsPath));
  }
  return out as unknown as KubernetesObject[];
}

/**
 * What `ployd render --target kubernetes` takes: any parsed resource. ModelDeployments and
 * GatewayRoutes are rendered; plain Kubernetes kinds (passthrough) are emitted as written; other
 * PloyD kinds (Application, CanaryDeployment, Policy...) are control-plane state and skipped.
 */
export type RenderableResource = AnyResource;

/** Kinds that exist before anything namespaced can be created; applied first. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'GatewayClass',
  'ClusterRole',
  'ClusterRoleBinding',
]);

const objectId = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string | undefined } }): string =>
  `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`;

/**
 * Renders parsed resources as Kubernetes objects, in apply order: cluster-scoped passthrough
 * objects, other passthrough objects, each ModelDeployment's objects, then one route-table
 * ConfigMap per namespace for an in-cluster `ployd gateway`. Two sources producing the same object
 * (e.g. a hand-written Service named like a model's) is an E_K8S_RENDER error, not a silent overwrite.
 *
 * @example
 * const objects = renderKubernetes(loaded.map((l) => l.parsed.resource), { namespace: 'production', gpusPerNode: 8 });
 * process.stdout.write(toYaml(objects));
 */
export function renderKubernetes(resources: RenderableResource | readonly RenderableResource[], options: KubernetesRenderOptions = {}): KubernetesObject[] {
  const list: readonly RenderableResource[] = Array.isArray(resources) ? resources : [resources as RenderableResource];
  const o = resolveOptions(options);
  const ploydKinds = list.filter((r): r is PloydResource => r.apiVersion === PLOYD_API_VERSION);
  const deployments = ploydKinds.filter((r): r is ModelDeployment => r.kind === 'ModelDeployment');
  const routes = ploydKinds.filter((r): r is GatewayRoute => r.kind === 'GatewayRoute');
  const passthrough = list.filter((r) => r.apiVersion !== PLOYD_API_VERSION).map((r) => {
    const copy = structuredClone(r) as unknown as KubernetesObject;
    // Like kustomize's `namespace:`, an explicit namespace applies to every namespaced object.
    return o.namespace !== undefined && !CLUSTER_SCOPED.has(copy.kind) ? ({ ...copy, metadata: { ...copy.metadata, namespace: o.namespace } }) : copy;
  });
  const sources = new Map<string, string>();
  const out: KubernetesObject[] = [];
  const add = (obj: KubernetesObject, source: string): void => {
    const id = objectId(obj);
    const first = sources.get(id);
    if (first !== undefined) {
      throw new PloydError('E_K8S_RENDER', `${obj.kind} ${obj.metadata.namespace ?? '-'}/${obj.metadata.name} is rendered from ${first} and again from ${source}`, { object: id, sources: [first, source] });
    }
    sources.set(id, source);
    out.push(obj);
  };
  for (const p of passthrough.filter((x) => CLUSTER_SCOPED.has(x.kind))) add(p, `${p.kind}/${p.metadata.name} as written`);
  for (const p of passthrough.filter((x) => !CLUSTER_SCOPED.has(x.kind))) add(p, `${p.kind}/${p.metadata.name} as written`);
  for (const md of deployments) for (const obj of renderModelDeployment(md, options)) add(obj, `ModelDeployment/${md.metadata.name}`);
  const byNamespace = new Map<string, GatewayRoute[]>();
  for (const r of routes) {
    const ns = namespaceOf(r, o);
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), r]);
  }
  for (const [ns, rs] of byNamespace) {
    add(gatewayConfigMap(rs, deployments.filter((d) => namespaceOf(d, o) === ns), ns) as unknown as KubernetesObject, `GatewayRoutes of ${ns}`);
  }
  return out;
}

/** Objects as one multi-document YAML stream, as `kubectl apply -f -` reads it. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((obj) => stringify(obj, { lineWidth: 0 })).join('---\n');
}
