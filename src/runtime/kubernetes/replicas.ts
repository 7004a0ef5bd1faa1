import type { ReplicaPhase, ReplicaStatus } from '../types.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * One pod as a replica in the runtime vocabulary (the same the local supervisor reports), so
 * `ployd status` reads alike on both runtimes. Pure.
 */
export function podReplica(pod: Json, index: number, port: number): ReplicaStatus {
  const meta = obj(pod.metadata);
  const status = obj(pod.status);
  const containers = arr(status.containerStatuses);
  const restarts = containers.reduce((n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0);
  const waiting = containers.map((c) => obj(obj(c.state).waiting)).find((w) => typeof w.reason === 'string');
  const conds = arr(status.conditions);
  const cond = (type: string): Json | undefined => conds.find((c) => c.type === type);
  let phase: ReplicaPhase;
  let reason: string | undefined;
  if (meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null) {
    phase = 'Terminating';
  } else if (waiting?.reason === 'CrashLoopBackOff') {
    phase = 'CrashLoop';
    reason = typeof waiting.message === 'string' ? waiting.message : 'CrashLoopBackOff';
  } else if (status.phase === 'Pending') {
    phase = 'Pending';
    const scheduled = cond('PodScheduled');
    // "0/4 nodes are available: 4 Insufficient nvidia.com/gpu." is the line an SRE needs here.
    if (scheduled?.status === 'False') reason = str(scheduled.message) ?? str(scheduled.reason) ?? 'unschedulable';
    else if (waiting) reason = str(waiting.reason);
  } else if (status.phase === 'Failed') {
    phase = 'Failed';
    reason = typeof status.reason === 'string' ? status.reason : undefined;
  } else if (status.phase === 'Succeeded') {
    phase = 'Failed';
    reason = 'model server exited';
  } else if (cond('Ready')?.status === 'True') {
    phase = 'Ready';
  } else if (containers.some((c) => c.started === false)) {
    phase = 'Starting';
  } else {
    phase = 'Unready';
  }
  const ip = typeof status.podIP === 'string' ? status.podIP : undefined;
  return {
    id: str(meta.name) ?? `replica-${index}`,
    index,
    phase,
    restarts,
    ...(ip ? { url: `http://${ip}:${port}` } : {}),
    ...(reason ? { reason } : {}),
  };
}
