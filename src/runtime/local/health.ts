import type { HealthStatus, ReplicaPhase } from '../types.ts';

/** What the roll-up needs of one replica. */
export interface ReplicaHealthInput {
  readonly phase: ReplicaPhase;
  /** Belongs to the spec being converged to (false while a changed spec replaces old replicas). */
  readonly current: boolean;
  readonly reason?: string;
}

/**
 * Deployment health in Argo CD's vocabulary:
 * - Missing: not deployed; Suspended: 0 desired and nothing left running;
 * - Degraded: any replica crash-looping or failed (worst child wins, as Argo CD rolls up);
 * - Healthy: ready replicas of the current spec ≥ desired and no old replica left;
 * - Progressing: anything in between (starting, pending for GPUs, draining, replacing).
 */
export function rollupHealth(input: { deployed: boolean; desired: number; replicas: readonly ReplicaHealthInput[] }): {
  health: HealthStatus;
  message: string;
} {
  if (!input.deployed) return { health: 'Missing', message: 'not deployed' };
  const reps = input.replicas;
  const bad = reps.filter((r) => r.phase === 'CrashLoop' || r.phase === 'Failed');
  const ready = reps.filter((r) => r.current && r.phase === 'Ready').length;
  if (bad.length > 0) {
    const first = bad[0];
    return {
      health: 'Degraded',
      message: `${bad.length} replica${bad.length === 1 ? '' : 's'} ${first?.phase ?? 'failed'}${first?.reason ? `: ${first.reason}` : ''}`,
    };
  }
  if (input.desired === 0) {
    return reps.length === 0
      ? { health: 'Suspended', message: 'scaled to 0 replicas' }
      : { health: 'Progressing', message: `stopping ${reps.length} replica${reps.length === 1 ? '' : 's'}` };
  }
  const stale = reps.filter((r) => !r.current || r.phase === 'Draining' || r.phase === 'Terminating').length;
  if (ready >= input.desired && stale === 0) return { health: 'Healthy', message: `${ready}/${input.desired} replicas ready` };
  const pending = reps.find((r) => r.current && r.phase === 'Pending' && r.reason);
  return {
    health: 'Progressing',
    message: `${ready}/${input.desired} replicas ready${pending?.reason ? `; Pending: ${pending.reason}` : ''}`,
  };
}
