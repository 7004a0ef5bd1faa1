import { describe, expect, it } from 'vitest';
import { ModelDeployment } from '../../resources/index.ts';
import { DEFAULT_TARGET_IN_FLIGHT, type Recommendation, decideReplicas, targetInFlight } from './autoscale.ts';

const base = { min: 1, max: 5, target: 8, windowMs: 60_000, history: [] as Recommendation[] };

describe('decideReplicas', () => {
  it('scales up at once to ceil(load / target), capped at max', () => {
    expect(decideReplicas({ ...base, current: 1, load: 17, now: 0 }).replicas).toBe(3);
    expect(decideReplicas({ ...base, current: 1, load: 1000, now: 0 }).replicas).toBe(5);
  });

  it('never goes under min, even with no load', () => {
    expect(decideReplicas({ ...base, min: 2, current: 2, load: 0, now: 0 }).replicas).toBe(2);
  });

  it('scales down only after the load stayed low for the whole window', () => {
    let d = decideReplicas({ ...base, current: 1, load: 40, now: 0 });
    expect(d.replicas).toBe(5);
    d = decideReplicas({ ...base, current: 5, load: 0, now: 10_000, history: d.history });
    expect(d.replicas).toBe(5);
    d = decideReplicas({ ...base, current: 5, load: 8, now: 50_000, history: d.history });
    expect(d.replicas).toBe(5);
    // the 5-replica recommendation from t=0 has left the window; the highest since is 1 (t=10s)... and 1 (t=50s)
    d = decideReplicas({ ...base, current: 5, load: 0, now: 61_000, history: d.history });
    expect(d.replicas).toBe(1);
  });

  it('a brief spike inside the window holds the replicas', () => {
    let d = decideReplicas({ ...base, current: 2, load: 16, now: 0 });
    d = decideReplicas({ ...base, current: 2, load: 0, now: 30_000, history: d.history });
    expect(d.replicas).toBe(2);
  });

  it('pulls a count outside [min, max] back inside', () => {
    expect(decideReplicas({ ...base, current: 9, load: 0, now: 0 }).replicas).toBe(1);
    expect(decideReplicas({ ...base, min: 3, current: 1, load: 0, now: 0 }).replicas).toBe(3);
  });

  it('drops history older than the window', () => {
    const d = decideReplicas({ ...base, current: 1, load: 0, now: 100_000, history: [{ at: 0, replicas: 5 }] });
    expect(d.history).toEqual([{ at: 100_000, replicas: 1 }]);
  });
});

describe('targetInFlight', () => {
  const md = (scaling: object, model: object = {}) =>
    ModelDeployment.parse({
      apiVersion: 'ployd.ai/v1',
      kind: 'ModelDeployment',
      metadata: { name: 'm' },
      spec: { model: { framework: 'simulator', ...model }, scaling },
    });
  it('uses targetInFlightPerReplica when set', () => {
    expect(targetInFlight(md({ targetInFlightPerReplica: 3, targetGPUUtilization: 50 }))).toBe(3);
  });
  it('maps targetGPUUtilization onto max-num-seqs batch slots', () => {
    expect(targetInFlight(md({ targetGPUUtilization: 75 }, { simulator: { maxNumSeqs: 64 } }))).toBe(48);
    expect(targetInFlight(md({ targetGPUUtilization: 50 }))).toBe(128);
  });
  it('defaults to 8', () => {
    expect(targetInFlight(md({}))).toBe(DEFAULT_TARGET_IN_FLIGHT);
  });
});
