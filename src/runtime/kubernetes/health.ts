import type { HealthStatus } from '../types.ts';

/**
 * Health of live Kubernetes objects, by Argo CD's rules (gitops-engine pkg/health), so a model's
 * health reads the same in PloyD as in Argo CD. Pure: takes the object as the API server returns it.
 */
export interface ObjectHealth {
  readonly status: HealthStatus;
  readonly message?: string;
}

type Json = Record<string, unknown>;
interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const conditions = (status: Json): Condition[] => (Array.isArray(status.conditions) ? (status.conditions as Condition[]) : []);

/** Argo CD's order, best to worst; a roll-up takes the worst. */
const ORDER: readonly HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export function worstHealth(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((w, s) => (ORDER.indexOf(s) > ORDER.indexOf(w) ? s : w), 'Healthy');
}

export function deploymentHealth(d: Json): ObjectHealth {
  const meta = obj(d.metadata);
  const spec = obj(d.spec);
  const status = obj(d.status);
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (spec.paused === true) return { status: 'Suspended', message: 'Deployment is paused' };
  const generation = num(meta.generation) ?? 0;
  const observed = num(status.observedGeneration) ?? 0;
  if (generation > observed) {
    return { status: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation' };
  }
  const progressing = conditions(status).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Degraded', message: `Deployment "${name}" exceeded its progress deadline` };
  }
  const replicas = num(spec.replicas);
  const updated = num(status.updatedReplicas) ?? 0;
  const current = num(status.replicas) ?? 0;
  const available = num(status.availableReplicas) ?? 0;
  if (replicas !== undefined && updated < replicas) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...` };
  }
  if (current > updated) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${current - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...` };
  }
  return { status: 'Healthy' };
}

export function statefulSetHealth(s: Json): ObjectHealth {
  const meta = obj(s.metadata);
  const spec = obj(s.spec);
  const status = obj(s.status);
  const observed = num(status.observedGeneration) ?? 0;
  if (observed === 0 || (num(meta.generation) ?? 0) > observed) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const replicas = num(spec.replicas);
  const ready = num(status.readyReplicas) ?? 0;
  if (replicas !== undefined && ready < replicas) {
    return { status: 'Progressing', message: `Waiting for ${replicas - ready} pods to be ready...` };
  }
  if (obj(spec.updateStrategy).type === 'OnDelete') return { status: 'Healthy', message: 'statefulset has no rolling update strategy' };
  if (status.updateRevision !== status.currentRevision) {
    return { status: 'Progressing', message: `waiting for statefulset rolling update to complete ${num(status.updatedReplicas) ?? 0} pods at revision ${String(status.updateRevision)}...` };
  }
  return { status: 'Healthy', message: `statefulset rolling update complete ${num(status.currentReplicas) ?? 0} pods at revision ${String(status.currentRevision)}...` };
}

/**
 * LeaderWorkerSet basics (Argo CD has no built-in rule): its status has no observedGeneration, so
 * it goes by groups ready and updated against spec.replicas and the `Available` condition.
 */
export function leaderWorkerSetHealth(l: Json): ObjectHealth {
  const spec = obj(l.spec);
  const status = obj(l.status);
  const conds = conditions(status);
  const failed = conds.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return { status: 'Degraded', message: failed.message ?? 'LeaderWorkerSet failed' };
  const replicas = num(spec.replicas) ?? 1;
  const ready = num(status.readyReplicas) ?? 0;
  const updated = num(status.updatedReplicas) ?? 0;
  if (updated < replicas) return { status: 'Progressing', message: `Waiting for rollout to finish: ${updated} of ${replicas} groups updated` };
  if (ready < replicas) return { status: 'Progressing', message: `Waiting for ${replicas - ready} groups to be ready` };
  const available = conds.find((c) => c.type === 'Available');
  if (available && available.status !== 'True') return { status: 'Progressing', message: available.message ?? 'LeaderWorkerSet not available' };
  return { status: 'Healthy' };
}

const HPA_DEGRADED: readonly [string, string][] = [
  ['AbleToScale', 'FailedGetScale'],
  ['AbleToScale', 'FailedUpdateScale'],
  ['ScalingActive', 'FailedGetResourceMetric'],
  ['ScalingActive', 'InvalidSelector'],
  // Beyond Argo CD's list: the same failure for the other metric sources. A GPU-utilisation HPA
  // without prometheus-adapter serving DCGM_FI_DEV_GPU_UTIL ends here, and it never autoscales.
  ['ScalingActive', 'FailedGetPodsMetric'],
  ['ScalingActive', 'FailedGetObjectMetric'],
  ['ScalingActive', 'FailedGetExternalMetric'],
  ['ScalingActive', 'FailedGetContainerResourceMetric'],
];
const HPA_HEALTHY: readonly [string, string][] = [
  ['AbleToScale', 'SucceededRescale'],
  ['ScalingLimited', 'DesiredWithinRange'],
  ['ScalingLimited', 'TooFewReplicas'],
  ['ScalingLimited', 'TooManyReplicas'],
];

/** HPA: the first condition that is a known failure or a known success decides; else Progressing. */
export function hpaHealth(h: Json): ObjectHealth {
  for (const c of conditions(obj(h.status))) {
    const is = (list: readonly [string, string][]): boolean => list.some(([t, r]) => c.type === t && c.reason === r);
    if (is(HPA_DEGRADED)) return { status: 'Degraded', ...(c.message ? { message: c.message } : {}) };
    if (is(HPA_HEALTHY)) return { status: 'Healthy', ...(c.message ? { message: c.message } : {}) };
  }
  return { status: 'Progressing', message: 'Waiting to Autoscale' };
}

/** PDB: Healthy once as many pods are healthy as it wants; until then it is waiting, not broken. */
export function pdbHealth(p: Json): ObjectHealth {
  const meta = obj(p.metadata);
  const status = obj(p.status);
  if ((num(meta.generation) ?? 0) > (num(status.observedGeneration) ?? 0)) return { status: 'Progressing', message: 'Waiting for the disruption controller' };
  const current = num(status.currentHealthy) ?? 0;
  const desired = num(status.desiredHealthy) ?? 0;
  if (current < desired) return { status: 'Progressing', message: `${current} of ${desired} required pods are healthy` };
  return { status: 'Healthy' };
}

export function serviceHealth(s: Json): ObjectHealth {
  if (obj(s.spec).type === 'LoadBalancer') {
    const ingress = obj(obj(s.status).loadBalancer).ingress;
    if (!Array.isArray(ingress) || ingress.length === 0) return { status: 'Progressing', message: 'Waiting for the load balancer to get an address' };
  }
  return { status: 'Healthy' };
}

/** KEDA ScaledObject: its `Ready` condition. */
export function scaledObjectHealth(s: Json): ObjectHealth {
  const ready = conditions(obj(s.status)).find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { status: 'Healthy', ...(ready.message ? { message: ready.message } : {}) };
  if (ready?.status === 'False') return { status: 'Degraded', message: ready.message ?? 'ScaledObject is not ready' };
  return { status: 'Progressing', message: 'Waiting for KEDA' };
}

/** Health of any object PloyD renders; undefined (absent) is Missing, kinds without status are Healthy. */
export function objectHealth(o: Json | undefined): ObjectHealth {
  if (o === undefined) return { status: 'Missing' };
  switch (`${String(o.apiVersion)}/${String(o.kind)}`) {
    case 'apps/v1/Deployment':
      return deploymentHealth(o);
    case 'apps/v1/StatefulSet':
      return statefulSetHealth(o);
    case 'leaderworkerset.x-k8s.io/v1/LeaderWorkerSet':
      return leaderWorkerSetHealth(o);
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      return hpaHealth(o);
    case 'policy/v1/PodDisruptionBudget':
      return pdbHealth(o);
    case 'v1/Service':
      return serviceHealth(o);
    case 'keda.sh/v1alpha1/ScaledObject':
      return scaledObjectHealth(o);
    default:
      return { status: 'Healthy' };
  }
}
