import { stringify } from 'yaml';
import type { GatewayRoute, ModelDeployment } from '../../resources/index.ts';
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

/** What `ployd render --target kubernetes` renders: parsed ModelDeployments and GatewayRoutes. */
export type RenderableResource = ModelDeployment | GatewayRoute;

/**
 * Renders parsed ModelDeployments (and GatewayRoutes, as one route-table ConfigMap per namespace
 * for an in-cluster `ployd gateway`) as Kubernetes objects. Other kinds are the caller's to
 * filter out; this takes only what it can render.
 *
 * @example
 * const objects = renderKubernetes(resources, { namespace: 'production', gpusPerNode: 8 });
 * process.stdout.write(toYaml(objects));
 */
export function renderKubernetes(resources: RenderableResource | readonly RenderableResource[], options: KubernetesRenderOptions = {}): KubernetesObject[] {
  const list: readonly RenderableResource[] = Array.isArray(resources) ? resources : [resources as RenderableResource];
  const o = resolveOptions(options);
  const deployments = list.filter((r): r is ModelDeployment => r.kind === 'ModelDeployment');
  const routes = list.filter((r): r is GatewayRoute => r.kind === 'GatewayRoute');
  const out = deployments.flatMap((md) => renderModelDeployment(md, options));
  const byNamespace = new Map<string, GatewayRoute[]>();
  for (const r of routes) {
    const ns = namespaceOf(r, o);
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), r]);
  }
  for (const [ns, rs] of byNamespace) {
    out.push(gatewayConfigMap(rs, deployments.filter((d) => namespaceOf(d, o) === ns), ns) as unknown as KubernetesObject);
  }
  return out;
}

/** Objects as one multi-document YAML stream, as `kubectl apply -f -` reads it. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((obj) => stringify(obj, { lineWidth: 0 })).join('---\n');
}
