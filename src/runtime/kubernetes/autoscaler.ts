import { desiredReplicas, gpusPerReplica, servedModelName, type ModelDeployment } from '../../resources/index.ts';
import type { ServerContainer } from './container.ts';
import { commonLabels } from './labels.ts';
import { kubeName } from './names.ts';
import type { ResolvedRenderOptions } from './options.ts';
import { isAutoscaled } from './workload.ts';

type Json = Record<string, unknown>;

/** The GPU utilisation gauge of NVIDIA's dcgm-exporter, served per pod by prometheus-adapter. */
export const GPU_UTIL_METRIC = 'DCGM_FI_DEV_GPU_UTIL';

function scaleTargetRef(md: ModelDeployment, multiNode: boolean): Json {
  return multiNode
    ? { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: kubeName(md.metadata.name) }
    : { apiVersion: 'apps/v1', kind: 'Deployment', name: kubeName(md.metadata.name) };
}

function scaleDownBehavior(md: ModelDeployment): Json | undefined {
  const w = md.spec.scaling?.stabilizationWindow;
  return w === undefined ? undefined : { scaleDown: { stabilizationWindowSeconds: Math.min(3600, Math.ceil(w / 1000)) } };
}

/**
 * autoscaling/v2 HorizontalPodAutoscaler: GPU utilisation (a Pods metric from dcgm-exporter) when
 * replicas have GPUs, CPU utilisation otherwise. The HPA cannot scale to zero without a feature
 * gate, so minReplicas is at least 1 (KEDA can).
 */
export function horizontalPodAutoscaler(md: ModelDeployment, namespace: string, multiNode: boolean): Json {
  const s = md.spec.scaling;
  const target = s?.targetGPUUtilization ?? 80;
  const metric =
    gpusPerReplica(md) > 0
      ? { type: 'Pods', pods: { metric: { name: GPU_UTIL_METRIC }, target: { type: 'AverageValue', averageValue: String(target) } } }
      : { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: Math.round(target) } } };
  const behavior = scaleDownBehavior(md);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: kubeName(md.metadata.name), namespace, labels: commonLabels(md) },
    spec: {
      scaleTargetRef: scaleTargetRef(md, multiNode),
      minReplicas: Math.max(1, s?.minReplicas ?? 1),
      maxReplicas: s?.maxReplicas ?? 1,
      metrics: [metric],
      ...(behavior ? { behavior } : {}),
    },
  };
}

function promString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * KEDA ScaledObject scaling on the model server's queue (`vllm:num_requests_waiting` for vLLM):
 * queued requests predict latency better than GPU utilisation, which saturates early. Servers with
 * no queue gauge fall back to KEDA's CPU trigger.
 */
export function scaledObject(md: ModelDeployment, namespace: string, multiNode: boolean, c: ServerContainer, o: ResolvedRenderOptions): Json {
  const s = md.spec.scaling;
  const behavior = scaleDownBehavior(md);
  const sel = `{namespace="${promString(namespace)}",model_name="${promString(servedModelName(md))}"}`;
  // With targetInFlightPerReplica, scale on running + waiting against it; else on the queue alone.
  const perReplica = s?.targetInFlightPerReplica;
  const inFlight = perReplica !== undefined && c.inFlightMetrics !== undefined && c.inFlightMetrics.length > 0 ? c.inFlightMetrics : undefined;
  const trigger =
    c.queueMetric !== undefined
      ? {
          type: 'prometheus',
          metadata: {
            serverAddress: o.prometheusUrl,
            query: inFlight ? inFlight.map((m) => `sum(${m}${sel})`).join(' + ') : `sum(${c.queueMetric}${sel})`,
            threshold: String(inFlight ? perReplica : o.kedaQueueThreshold),
          },
        }
      : { type: 'cpu', metricType: 'Utilization', metadata: { value: String(Math.round(s?.targetGPUUtilization ?? 80)) } };
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: kubeName(md.metadata.name), namespace, labels: commonLabels(md) },
    spec: {
      scaleTargetRef: scaleTargetRef(md, multiNode),
      minReplicaCount: s?.minReplicas ?? 1,
      maxReplicaCount: s?.maxReplicas ?? 1,
      pollingInterval: 15,
      ...(behavior ? { advanced: { horizontalPodAutoscalerConfig: { behavior } } } : {}),
      triggers: [trigger],
    },
  };
}

/**
 * policy/v1 PodDisruptionBudget. One replica: maxUnavailable 1, so a node drain is never blocked
 * forever by a singleton. More: keep all but one replica's pods (a group counts all its pods).
 */
export function podDisruptionBudget(md: ModelDeployment, namespace: string, selector: Record<string, string>, podsPerReplica: number): Json {
  const replicas = isAutoscaled(md) ? Math.max(1, md.spec.scaling?.minReplicas ?? 1) : desiredReplicas(md);
  const budget = replicas > 1 ? { minAvailable: (replicas - 1) * podsPerReplica } : { maxUnavailable: 1 };
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: kubeName(md.metadata.name), namespace, labels: commonLabels(md) },
    spec: { ...budget, selector: { matchLabels: selector } },
  };
}
