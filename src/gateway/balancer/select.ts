import type { BreakerConfig } from '../breaker.ts';
import type { CompiledBackend, CompiledRule, Replica } from '../route-table.ts';
import { rendezvous } from './hash.ts';
import type { BalancerState, ReplicaState, ServerLoad } from './state.ts';
import { smoothWeightedPick } from './wrr.ts';

/** How old model-server metrics may be before a replica counts as saturated. */
export const LOAD_STALE_MS = 5_000;
/** Score of a saturated replica: still chosen when every replica is saturated, never before. */
const SATURATED = 1e6;

export interface PickContext {
  readonly now: number;
  readonly breaker: BreakerConfig & { readonly enabled: boolean };
  /** Value of the session-affinity header, when the route has one and the request sent it. */
  readonly affinityKey: string | undefined;
  /** Backends already tried by this request. */
  readonly tried: ReadonlySet<string>;
}

/** Queue-aware load score of one replica: lower is better. Stale or missing metrics = saturated. */
export function replicaLoadScore(state: ReplicaState, now: number): number {
  const load: ServerLoad | undefined = state.load;
  if (!load || now - load.at > LOAD_STALE_MS) return SATURATED + state.inflight;
  const kv = load.kvCacheUsage >= 0.95 ? 1000 : load.kvCacheUsage * 10;
  return state.inflight + load.running + 4 * load.waiting + kv;
}

function backendUsable(b: CompiledBackend, state: BalancerState, ctx: PickContext, ignoreCooldown = false): boolean {
  if (b.replicas.length === 0 || ctx.tried.has(b.id)) return false;
  if (ctx.breaker.enabled && !state.backend(b.id).breaker.available(ctx.breaker, ctx.now)) return false;
  if (ignoreCooldown) return true;
  // A backend all of whose replicas asked us to back off (429 Retry-After) is skipped while others can serve.
  for (const r of b.replicas) if (state.replica(r.id).cooldownUntil <= ctx.now) return true;
  return false;
}

const backendId = (b: CompiledBackend): string => b.id;
const wrrWeight = (b: CompiledBackend): number => Math.max(b.weight, 0) || 1;

function byStrategy(rule: CompiledRule, candidates: readonly CompiledBackend[], state: BalancerState, ctx: PickContext): CompiledBackend | undefined {
  if (candidates.length === 1) return candidates[0];
  if (ctx.affinityKey !== undefined) return rendezvous(ctx.affinityKey, candidates, (b) => b.id, (b) => Math.max(b.weight, 1));
  switch (rule.strategy) {
    case 'weighted_round_robin': {
      let current = state.wrr.get(rule.id);
      if (!current) state.wrr.set(rule.id, (current = new Map<string, number>()));
      return smoothWeightedPick(candidates, current, backendId, wrrWeight);
    }
    case 'least_latency': {
      // Peak-EWMA style: latency times (outstanding + 1), so a fast backend is not flooded.
      // Unsampled backends score 0 and get explored first.
      return minBy(candidates, (b) => {
        const s = state.backend(b.id);
        return (s.ewmaMs ?? 0) * (s.inflight + 1);
      });
    }
    case 'least_busy':
      return minBy(candidates, (b) => {
        let best = Infinity;
        for (const r of b.replicas) best = Math.min(best, replicaLoadScore(state.replica(r.id), ctx.now));
        return best;
      });
    case 'cost_optimized':
      return minBy(candidates, (b) => b.costPer1k * 1e6 + state.backend(b.id).inflight);
  }
}

function minBy<T>(items: readonly T[], score: (t: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = Infinity;
  for (const t of items) {
    const s = score(t);
    if (s < bestScore) {
      bestScore = s;
      best = t;
    }
  }
  return best ?? items[0];
}

/**
 * The first backend for a request: the rule's strategy over usable weighted backends. When none of
 * them is usable (breaker open, no ready replica), the first usable backend in fallback order.
 */
export function pickBackend(rule: CompiledRule, state: BalancerState, ctx: PickContext): CompiledBackend | undefined {
  // Counted first: usually every primary backend is usable, and then no filtered copy is made.
  const primary = rule.primary;
  let usable = 0;
  for (const b of primary) if (backendUsable(b, state, ctx)) usable++;
  if (usable === primary.length && usable > 0) return byStrategy(rule, primary, state, ctx);
  if (usable > 0) return byStrategy(rule, primary.filter((b) => backendUsable(b, state, ctx)), state, ctx);
  const fallback = nextFallback(rule, state, ctx);
  if (fallback) return fallback;
  // Everything asked to back off: Retry-After is a preference, not a wall. Try in fallback order;
  // the upstream answers 429 again if it must, and that answer is passed on.
  for (const b of rule.fallbackOrder) if (backendUsable(b, state, ctx, true)) return b;
  return undefined;
}

/** The next backend by priority that this request has not tried yet. */
export function nextFallback(rule: CompiledRule, state: BalancerState, ctx: PickContext): CompiledBackend | undefined {
  for (const b of rule.fallbackOrder) if (backendUsable(b, state, ctx)) return b;
  return undefined;
}

/**
 * A replica of the backend: least outstanding requests (queue-aware for least_busy), skipping
 * ejected and cooling-down replicas unless that leaves none; ties rotate so load spreads.
 */
export function pickReplica(
  backend: CompiledBackend,
  state: BalancerState,
  now: number,
  opts: { readonly queueAware: boolean; readonly affinityKey: string | undefined; readonly avoid: ReadonlySet<string> },
): Replica | undefined {
  const replicas = backend.replicas;
  if (replicas.length === 0) return undefined;
  if (replicas.length === 1) return replicas[0];
  let pool: Replica[] = [];
  for (const r of replicas) {
    const s = state.replica(r.id);
    if (s.ejectedUntil <= now && s.cooldownUntil <= now && !opts.avoid.has(r.id)) pool.push(r);
  }
  if (pool.length === 0) pool = replicas.filter((r) => !opts.avoid.has(r.id));
  if (pool.length === 0) pool = [...replicas];
  if (opts.affinityKey !== undefined) return rendezvous(opts.affinityKey, pool, (r) => r.id, () => 1);
  const bs = state.backend(backend.id);
  const start = bs.cursor++ % pool.length;
  let best: Replica | undefined;
  let bestScore = Infinity;
  for (let i = 0; i < pool.length; i++) {
    const r = pool[(start + i) % pool.length]!;
    const s = state.replica(r.id);
    const score = opts.queueAware ? replicaLoadScore(s, now) : s.inflight;
    if (score < bestScore) {
      bestScore = score;
      best = r;
    }
  }
  return best;
}

/** Outlier detection: ejects a replica after `threshold` consecutive failures, for longer each time; never the last healthy one. */
export function recordReplicaFailure(backend: CompiledBackend, replica: Replica, state: BalancerState, now: number, threshold: number, baseEjectMs: number): boolean {
  const s = state.replica(replica.id);
  s.consecutiveFailures++;
  if (s.consecutiveFailures < threshold || backend.replicas.length < 2) return false;
  let healthy = 0;
  for (const r of backend.replicas) if (r.id !== replica.id && state.replica(r.id).ejectedUntil <= now) healthy++;
  if (healthy === 0) return false;
  s.ejections++;
  s.ejectedUntil = now + baseEjectMs * Math.min(s.ejections, 10);
  s.consecutiveFailures = 0;
  return true;
}

/** Whether the backend has another replica that is neither ejected nor cooling down. */
export function hasOtherHealthyReplica(backend: CompiledBackend, replica: Replica, state: BalancerState, now: number): boolean {
  for (const r of backend.replicas) {
    if (r.id === replica.id) continue;
    const s = state.replica(r.id);
    if (s.ejectedUntil <= now && s.cooldownUntil <= now) return true;
  }
  return false;
}

export function recordReplicaSuccess(replica: Replica, state: BalancerState): void {
  const s = state.replica(replica.id);
  s.consecutiveFailures = 0;
  if (s.ejections > 0 && s.ejectedUntil === 0) s.ejections = 0;
}

/** EWMA update of the backend's latency (time to response headers). */
export function recordLatency(backendId: string, state: BalancerState, ms: number): void {
  const s = state.backend(backendId);
  s.ewmaMs = s.ewmaMs === undefined ? ms : s.ewmaMs + 0.3 * (ms - s.ewmaMs);
}
