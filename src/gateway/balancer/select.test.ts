import { describe, expect, it } from 'vitest';
import { GatewayRoute } from '../../resources/index.ts';
import { compileRouteTable, type CompiledRule } from '../route-table.ts';
import { pickBackend, pickReplica, recordLatency, recordReplicaFailure, type PickContext } from './select.ts';
import { BalancerState } from './state.ts';
import { smoothWeightedPick } from './wrr.ts';

function rule(spec: Record<string, unknown>, endpoints: { name: string; url: string }[] = []): CompiledRule {
  const r = GatewayRoute.parse({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name: 'r' }, spec });
  const snap = compileRouteTable({ routes: [r], deployments: [], endpoints: endpoints.map((e) => ({ namespace: 'default', name: e.name, servedModelName: e.name, replicaId: e.url, url: e.url })) }, 1);
  return snap.routes[0]!.rules[0]!;
}
const ctx = (over: Partial<PickContext> = {}): PickContext => ({ now: 1_000_000, breaker: { enabled: true, failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenRequests: 1 }, affinityKey: undefined, tried: new Set(), ...over });

describe('smooth weighted round robin', () => {
  it('interleaves like nginx: 5,1,1 → a a b a c a a', () => {
    const cur = new Map<string, number>();
    const items = [{ id: 'a', w: 5 }, { id: 'b', w: 1 }, { id: 'c', w: 1 }];
    const seq = Array.from({ length: 7 }, () => smoothWeightedPick(items, cur, (x) => x.id, (x) => x.w)!.id).join(' ');
    expect(seq).toBe('a a b a c a a');
  });

  it('splits 90/10 exactly over 100 picks, deterministically', () => {
    const r = rule({ models: [{ name: 'new', url: 'http://n:1', weight: 90 }, { name: 'old', url: 'http://o:1', weight: 10, priority: 2, fallback: true }] });
    const state = new BalancerState();
    const counts = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const b = pickBackend(r, state, ctx())!;
      counts.set(b.name, (counts.get(b.name) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ new: 90, old: 10 });
  });
});

describe('strategies', () => {
  const two = (strategy: string, extra: Record<string, unknown>[] = [{}, {}]) =>
    rule({ routing: { strategy }, models: [{ name: 'a', url: 'http://a:1', ...extra[0] }, { name: 'b', url: 'http://b:1', ...extra[1] }] });

  it('least_latency prefers the lower EWMA, weighted by outstanding requests', () => {
    const r = two('least_latency');
    const state = new BalancerState();
    recordLatency(r.backends[0]!.id, state, 100);
    recordLatency(r.backends[1]!.id, state, 20);
    expect(pickBackend(r, state, ctx())!.name).toBe('b');
    state.backend(r.backends[1]!.id).inflight = 10; // 20 * 11 > 100 * 1
    expect(pickBackend(r, state, ctx())!.name).toBe('a');
  });

  it('cost_optimized takes the cheapest usable backend', () => {
    const r = two('cost_optimized', [{ cost: { inputPer1kTokens: 0.5, outputPer1kTokens: 1 } }, { cost: { inputPer1kTokens: 0.1, outputPer1kTokens: 0.2 } }]);
    const state = new BalancerState();
    expect(pickBackend(r, state, ctx())!.name).toBe('b');
    expect(pickBackend(r, state, ctx({ tried: new Set([r.backends[1]!.id]) }))!.name).toBe('a');
  });

  it('least_busy reads model-server queues; stale metrics count as saturated', () => {
    const r = two('least_busy');
    const state = new BalancerState();
    const now = 1_000_000;
    state.replica('http://a:1').load = { waiting: 5, running: 8, kvCacheUsage: 0.5, at: now };
    state.replica('http://b:1').load = { waiting: 0, running: 2, kvCacheUsage: 0.2, at: now };
    expect(pickBackend(r, state, ctx({ now }))!.name).toBe('b');
    state.replica('http://b:1').load = { waiting: 0, running: 0, kvCacheUsage: 0, at: now - 60_000 };
    expect(pickBackend(r, state, ctx({ now }))!.name).toBe('a');
  });

  it('session affinity: the same key goes to the same backend while it is usable', () => {
    const r = two('weighted_round_robin');
    const state = new BalancerState();
    const first = Array.from({ length: 20 }, (_, i) => pickBackend(r, state, ctx({ affinityKey: `user-${i}` }))!.name);
    const again = Array.from({ length: 20 }, (_, i) => pickBackend(r, state, ctx({ affinityKey: `user-${i}` }))!.name);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(2);
  });

  it('an open breaker removes a backend; weight-0 fallbacks take over by priority', () => {
    const r = rule({ models: [{ name: 'a', url: 'http://a:1' }, { name: 'c', url: 'http://c:1', weight: 0, fallback: true, priority: 3 }, { name: 'b', url: 'http://b:1', weight: 0, fallback: true, priority: 2 }] });
    const state = new BalancerState();
    const cfg = ctx().breaker;
    for (let i = 0; i < 5; i++) state.backend(r.backends[0]!.id).breaker.onFailure(cfg, 1_000_000);
    expect(pickBackend(r, state, ctx())!.name).toBe('b');
  });
});

describe('replicas', () => {
  const r = rule({ models: [{ name: 'm' }] }, [
    { name: 'm', url: 'http://r1:1' },
    { name: 'm', url: 'http://r2:1' },
    { name: 'm', url: 'http://r3:1' },
  ]);
  const backend = r.backends[0]!;

  it('least outstanding requests', () => {
    const state = new BalancerState();
    state.replica('http://r1:1').inflight = 3;
    state.replica('http://r2:1').inflight = 1;
    state.replica('http://r3:1').inflight = 2;
    expect(pickReplica(backend, state, 0, { queueAware: false, affinityKey: undefined, avoid: new Set() })!.id).toBe('http://r2:1');
  });

  it('passive ejection after consecutive failures, but never the last healthy replica', () => {
    const state = new BalancerState();
    const [r1, r2, r3] = backend.replicas;
    for (let i = 0; i < 3; i++) recordReplicaFailure(backend, r1!, state, 0, 3, 10_000);
    expect(state.replica(r1!.id).ejectedUntil).toBe(10_000);
    for (let i = 0; i < 3; i++) recordReplicaFailure(backend, r2!, state, 0, 3, 10_000);
    for (let i = 0; i < 3; i++) expect(recordReplicaFailure(backend, r3!, state, 0, 3, 10_000)).toBe(false);
    expect(state.replica(r3!.id).ejectedUntil).toBe(0);
    for (let i = 0; i < 5; i++) expect(pickReplica(backend, state, 1, { queueAware: false, affinityKey: undefined, avoid: new Set() })!.id).toBe(r3!.id);
  });
});
