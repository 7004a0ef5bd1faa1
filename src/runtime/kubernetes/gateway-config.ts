import { stringify } from 'yaml';
import { effectiveRules, formatDuration, servedModelName, type GatewayRoute, type ModelDeployment } from '../../resources/index.ts';
import { MANAGED_BY } from './labels.ts';
import { kubeName, serviceHost } from './names.ts';
import { SERVICE_PORT } from './options.ts';

type Json = Record<string, unknown>;

export const GATEWAY_CONFIGMAP = 'ployd-gateway-routes';

/**
 * A parsed GatewayRoute back as a manifest. Durations are milliseconds after parsing, but a bare
 * number in a manifest means seconds, so they are written back as duration strings.
 */
export function gatewayRouteManifest(route: GatewayRoute): Json {
  const r = route.spec.routing;
  const routing: Json = { ...r, timeout: formatDuration(r.timeout) };
  if (r.perTryTimeout !== undefined) routing.perTryTimeout = formatDuration(r.perTryTimeout);
  if (r.backoff) routing.backoff = { base: formatDuration(r.backoff.base), max: formatDuration(r.backoff.max) };
  const spec: Json = { ...route.spec, routing };
  const cb = route.spec.circuitBreaker;
  if (cb) spec.circuitBreaker = { ...cb, recoveryTimeout: formatDuration(cb.recoveryTimeout) };
  return JSON.parse(JSON.stringify({ apiVersion: route.apiVersion, kind: route.kind, metadata: route.metadata, spec })) as Json;
}

/**
 * The route table of an in-cluster `ployd gateway`, as a ConfigMap: the GatewayRoutes, the models
 * they name (served name and price), and one endpoint per model — its Service, which kube-proxy
 * balances across ready pods. Deliberately simple: the gateway does not see individual pods.
 */
export function gatewayConfigMap(routes: readonly GatewayRoute[], deployments: readonly ModelDeployment[], namespace: string): Json {
  const referenced = new Set(routes.flatMap((r) => effectiveRules(r).flatMap((rule) => rule.backends.map((b) => b.name))));
  const models = deployments.filter((d) => referenced.has(d.metadata.name) || referenced.size === 0);
  const deploymentsDoc = models.map((d) => ({
    apiVersion: d.apiVersion,
    kind: d.kind,
    metadata: { name: d.metadata.name, namespace },
    spec: { model: { name: servedModelName(d), framework: d.spec.model.framework }, ...(d.spec.cost ? { cost: d.spec.cost } : {}) },
  }));
  const endpoints = models.map((d) => ({
    namespace,
    name: d.metadata.name,
    servedModelName: servedModelName(d),
    replicaId: `service/${kubeName(d.metadata.name)}`,
    url: `http://${serviceHost(d, namespace)}:${SERVICE_PORT}`,
  }));
  const docs = (items: readonly unknown[]): string => items.map((i) => stringify(i)).join('---\n');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: GATEWAY_CONFIGMAP, namespace, labels: { 'app.kubernetes.io/name': 'ployd-gateway', 'app.kubernetes.io/managed-by': MANAGED_BY } },
    data: {
      'routes.yaml': docs(routes.map(gatewayRouteManifest)),
      'deployments.yaml': docs(deploymentsDoc),
      'endpoints.yaml': stringify(endpoints),
    },
  };
}
