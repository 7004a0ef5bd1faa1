import type { ModelDeployment } from '../../resources/index.ts';

/** In-flight plus queued requests per replica the autoscaler aims at when nothing else is declared. */
export const DEFAULT_TARGET_IN_FLIGHT = 8;
/** vLLM's own default `--max-num-seqs`: the batch slots a replica has when the spec does not say. */
export const VLLM_DEFAULT_MAX_NUM_SEQS = 256;
/** Scale-down stabilization window, as the Kubernetes HPA defaults it. */
export const DEFAULT_STABILIZATION_WINDOW_MS = 5 * 60_000;

/**
 * The per-replica load target. `targetInFlightPerReplica` wins; else `targetGPUUtilization` maps to
 * that share of the replica's batch slots (max-num-seqs), because with no GPU metrics the fraction
 * of continuous-batching slots in use is the closest proxy for how busy the GPU is; else 8.
 *
 * @example
 * // maxNumSeqs 64, targetGPUUtilization 75 → 48 requests per replica
 */
export function targetInFlight(md: ModelDeployment): number {
  const s = md.spec.scaling;
  if (s?.targetInFlightPerReplica !== undefined) return s.targetInFlightPerReplica;
  if (s?.targetGPUUtilization !== undefined) {
    const slots = md.spec.model.vllm?.max_num_seqs ?? md.spec.model.simulator?.maxNumSeqs ?? VLLM_DEFAULT_MAX_NUM_SEQS;
    return Math.max(1, (slots * s.targetGPUUtilization) / 100);
  }
  return DEFAULT_TARGET_IN_FLIGHT;
}

/** Past recommendations, kept for the scale-down stabilization window. */
export interface Recommendation {
  readonly at: number;
  readonly replicas: number;
}

export interface AutoscaleInput {
  readonly current: number;
  readonly min: number;
  readonly max: number;
  /** Target in-flight + waiting requests per replica. */
  readonly target: number;
  /** Sum of running + waiting requests over the replicas that reported. */
  readonly load: number;
  readonly now: number;
  readonly windowMs: number;
  readonly history: readonly Recommendation[];
}

export interface AutoscaleDecision {
  readonly replicas: number;
  readonly history: Recommendation[];
  /** Why, for logs and status messages. */
  readonly reason: string;
}

/**
 * How many replicas the load calls for. Like the Kubernetes HPA: the raw recommendation is
 * ceil(load / target) within [min, max]; scaling up applies at once (queued users are waiting),
 * scaling down takes the highest recommendation seen during the window, so a lull shorter than the
 * window never removes a replica that will be needed again a moment later.
 *
 * @example
 * decideReplicas({ current: 1, min: 1, max: 4, target: 8, load: 30, now: 0, windowMs: 60_000, history: [] }).replicas // 4
 */
export function decideReplicas(input: AutoscaleInput): AutoscaleDecision {
  const min = Math.max(0, Math.min(input.min, input.max));
  const max = Math.max(input.max, min);
  const target = input.target > 0 ? input.target : DEFAULT_TARGET_IN_FLIGHT;
  const raw = Math.min(max, Math.max(min, Math.ceil(Math.max(0, input.load) / target)));
  const history = [...input.history.filter((h) => input.now - h.at < input.windowMs), { at: input.now, replicas: raw }];
  const current = Math.min(max, Math.max(min, input.current));
  if (raw >= current) {
    const why = raw > input.current ? `load ${input.load} over target ${target}/replica` : input.current !== current ? 'within bounds' : 'steady';
    return { replicas: raw, history, reason: why };
  }
  const stabilized = Math.max(...history.map((h) => h.replicas));
  const replicas = Math.min(current, stabilized);
  return {
    replicas,
    history,
    reason: replicas < current ? `load ${input.load} stayed under target ${target}/replica for the window` : 'waiting out the stabilization window',
  };
}
