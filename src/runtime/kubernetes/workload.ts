import type { ModelDeployment } from '../../resources/index.ts';
import { desiredReplicas } from '../../resources/index.ts';
import { multiNodeContainers, serverContainer } from './container.ts';
import { commonLabels, objectAnnotations, ROLE_LABEL, selectorLabels } from './labels.ts';
import { kubeName } from './names.ts';
import type { ResolvedRenderOptions } from './options.ts';
import { podSpec, startupTimeoutSeconds } from './pod.ts';
import type { Topology } from './topology.ts';

type Json = Record<string, unknown>;

/** Port the model server listens on inside the pod: `serving.port`, else 8080. */
export function containerPort(md: ModelDeployment): number {
  return md.spec.serving?.port ?? 8080;
}

/** True when an autoscaler owns the replica count (then the workload leaves `replicas` to it). */
export function isAutoscaled(md: ModelDeployment): boolean {
  const s = md.spec.scaling;
  return s !== undefined && s.enabled && s.maxReplicas > s.minReplicas;
}

function podAnnotations(metricsPath: string | undefined, port: number): Record<string, string> {
  if (metricsPath === undefined) return {};
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': metricsPath };
}

function templateMetadata(labels: Record<string, string>, annotations: Record<string, string>): Json {
  return Object.keys(annotations).length > 0 ? { labels, annotations } : { labels };
}

function metadata(md: ModelDeployment, namespace: string): Json {
  return { name: kubeName(md.metadata.name), namespace, labels: commonLabels(md), annotations: objectAnnotations(md) };
}

/**
 * `replicas` is written only when no autoscaler owns it: with server-side apply, a manifest that
 * sets replicas would take the field back from the HPA on every sync and fight it.
 */
function replicasField(md: ModelDeployment): Json {
  return isAutoscaled(md) ? {} : { replicas: desiredReplicas(md) };
}

export function deployment(md: ModelDeployment, namespace: string, t: Topology, o: ResolvedRenderOptions): Json {
  const port = containerPort(md);
  const c = serverContainer(md, port, o);
  const monitoring = md.spec.monitoring?.enabled ?? true;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(md, namespace),
    spec: {
      ...replicasField(md),
      selector: { matchLabels: selectorLabels(md) },
      // Surging a GPU pod needs a spare GPU that usually does not exist, and would stall the rollout
      // until the progress deadline; replace one at a time instead. CPU-only servers surge.
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: t.gpusPerPod > 0 ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge: 1, maxUnavailable: 0 },
      },
      // The default 600 s deadline is shorter than loading a large model: leave the startup allowance plus slack.
      progressDeadlineSeconds: Math.max(600, startupTimeoutSeconds(md) + 300),
      revisionHistoryLimit: 5,
      template: {
        metadata: templateMetadata(commonLabels(md), monitoring ? podAnnotations(c.metricsPath, port) : {}),
        spec: podSpec(md, c, { port, gpus: t.gpusPerPod, serves: true }, o),
      },
    },
  };
}

/**
 * A LeaderWorkerSet (leaderworkerset.x-k8s.io/v1): each replica is a group of `podsPerReplica`
 * pods, the leader serving HTTP and running the Ray head, the workers joining it. A failed pod
 * recreates its whole group, since a vLLM engine cannot lose a rank and go on.
 */
export function leaderWorkerSet(md: ModelDeployment, namespace: string, t: Topology, o: ResolvedRenderOptions): Json {
  const port = containerPort(md);
  const { leader, worker } = multiNodeContainers(md, port, o);
  const monitoring = md.spec.monitoring?.enabled ?? true;
  const labels = (role: string): Record<string, string> => ({ ...commonLabels(md), [ROLE_LABEL]: role });
  return {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: metadata(md, namespace),
    spec: {
      ...replicasField(md),
      startupPolicy: 'LeaderCreated',
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdateConfiguration: { maxUnavailable: 1, maxSurge: 0 } },
      leaderWorkerTemplate: {
        size: t.podsPerReplica,
        restartPolicy: 'RecreateGroupOnPodRestart',
        leaderTemplate: {
          metadata: templateMetadata(labels('leader'), monitoring ? podAnnotations(leader.metricsPath, port) : {}),
          spec: podSpec(md, leader, { port, gpus: t.gpusPerPod, serves: true }, o),
        },
        workerTemplate: {
          metadata: { labels: labels('worker') },
          spec: podSpec(md, worker, { port, gpus: t.gpusPerPod, serves: false }, o),
        },
      },
    },
  };
}

/** Where the Service sends traffic: every pod of a Deployment, only leaders of a LeaderWorkerSet. */
export function servingSelector(md: ModelDeployment, t: Topology): Record<string, string> {
  return t.multiNode ? { ...selectorLabels(md), [ROLE_LABEL]: 'leader' } : selectorLabels(md);
}
