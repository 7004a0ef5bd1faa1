import { CircuitBreaker } from '../breaker.ts';
import type { RouteTableSnapshot } from '../route-table.ts';

/** Load the model server reports about itself (vLLM's `/metrics`), with when it was scraped. */
export interface ServerLoad {
  readonly waiting: number;
  readonly running: number;
  /** 0..1 */
  readonly kvCacheUsage: number;
  readonly at: number;
}

/** Mutable per-replica state, keyed by the replica's URL so it survives route-table reloads. */
export class ReplicaState {
  inflight = 0;
  consecutiveFailures = 0;
  ejectedUntil = 0;
  ejections = 0;
  /** Set from a 429's Retry-After: the replica asked not to be sent work before then. */
  cooldownUntil = 0;
  load: ServerLoad | undefined;
}

/** Mutable per-backend state, keyed by the backend's stable id. */
export class BackendState {
  readonly breaker = new CircuitBreaker();
  inflight = 0;
  /** EWMA of time to upstream response headers, ms; undefined until the first sample. */
  ewmaMs: number | undefined;
  /** Round-robin cursor for breaking ties among replicas. */
  cursor = 0;
}

/** Everything the balancer remembers between requests. One per gateway process. */
export class BalancerState {
  readonly replicas = new Map<string, ReplicaState>();
  readonly backends = new Map<string, BackendState>();
  /** Smooth-WRR current weights per rule id, then per backend id. */
  readonly wrr = new Map<string, Map<string, number>>();
  /** Called when a backend's state is first created (metrics hook up the breaker gauge). */
  onBackendCreated: ((id: string, state: BackendState) => void) | undefined;

  replica(id: string): ReplicaState {
    let s = this.replicas.get(id);
    if (!s) this.replicas.set(id, (s = new ReplicaState()));
    return s;
  }

  backend(id: string): BackendState {
    let s = this.backends.get(id);
    if (!s) {
      this.backends.set(id, (s = new BackendState()));
      this.onBackendCreated?.(id, s);
    }
    return s;
  }

  /** Forgets state of ids no longer in the snapshot (idle ones only), so churn does not leak memory. */
  prune(snapshot: RouteTableSnapshot): void {
    const replicaIds = new Set<string>();
    const backendIds = new Set<string>();
    const ruleIds = new Set<string>();
    for (const route of snapshot.routes) {
      for (const rule of route.rules) {
        ruleIds.add(rule.id);
        for (const b of rule.backends) {
          backendIds.add(b.id);
          for (const r of b.replicas) replicaIds.add(r.id);
        }
      }
    }
    for (const [id, s] of this.replicas) if (!replicaIds.has(id) && s.inflight === 0) this.replicas.delete(id);
    for (const [id, s] of this.backends) if (!backendIds.has(id) && s.inflight === 0) this.backends.delete(id);
    for (const id of this.wrr.keys()) if (!ruleIds.has(id)) this.wrr.delete(id);
  }
}
