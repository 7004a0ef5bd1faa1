import { formatDuration, type ModelDeployment } from '../../resources/index.ts';
import { commonLabels, objectAnnotations, selectorLabels } from './labels.ts';
import { kubeName } from './names.ts';
import { METRICS_SERVICE_PORT, SERVICE_PORT } from './options.ts';

type Json = Record<string, unknown>;

/**
 * ClusterIP Service: `http` 8080 → the server's port; `metrics` 9090 → the same container port when
 * monitoring is on, since vLLM, TGI and llama.cpp serve /metrics beside the API. The separate
 * Service port lets a ServiceMonitor (or a NetworkPolicy) name metrics apart from traffic.
 */
export function service(md: ModelDeployment, namespace: string, selector: Record<string, string>, hasMetrics: boolean): Json {
  const monitoring = (md.spec.monitoring?.enabled ?? true) && hasMetrics;
  const ports: Json[] = [{ name: 'http', port: SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }];
  if (monitoring) ports.push({ name: 'metrics', port: METRICS_SERVICE_PORT, targetPort: 'http', protocol: 'TCP' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: kubeName(md.metadata.name), namespace, labels: commonLabels(md), annotations: objectAnnotations(md) },
    spec: { type: 'ClusterIP', selector, ports },
  };
}

/** Prometheus Operator ServiceMonitor scraping the `metrics` port. */
export function serviceMonitor(md: ModelDeployment, namespace: string, metricsPath: string): Json {
  const interval = md.spec.monitoring?.serviceMonitor?.interval ?? 30_000;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: kubeName(md.metadata.name), namespace, labels: commonLabels(md) },
    spec: {
      selector: { matchLabels: selectorLabels(md) },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port: 'metrics', path: metricsPath, interval: formatDuration(interval) }],
    },
  };
}
