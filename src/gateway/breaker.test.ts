import { describe, expect, it } from 'vitest';
import { BreakerState, CircuitBreaker } from './breaker.ts';

const cfg = { failureThreshold: 3, recoveryTimeoutMs: 1000, halfOpenRequests: 2 };

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures; a success resets the count', () => {
    const b = new CircuitBreaker();
    b.onFailure(cfg, 0);
    b.onFailure(cfg, 0);
    b.onSuccess(cfg);
    b.onFailure(cfg, 0);
    b.onFailure(cfg, 0);
    expect(b.state).toBe(BreakerState.closed);
    b.onFailure(cfg, 0);
    expect(b.state).toBe(BreakerState.open);
    expect(b.tryAcquire(cfg, 999)).toBe(false);
  });

  it('half-open after recoveryTimeout admits halfOpenRequests probes; that many successes close it', () => {
    const b = new CircuitBreaker();
    const seen: number[] = [];
    b.onChange = (s) => seen.push(s);
    for (let i = 0; i < 3; i++) b.onFailure(cfg, 0);
    expect(b.tryAcquire(cfg, 1000)).toBe(true);
    expect(b.state).toBe(BreakerState.halfOpen);
    expect(b.tryAcquire(cfg, 1000)).toBe(true);
    expect(b.tryAcquire(cfg, 1000)).toBe(false);
    b.onSuccess(cfg);
    expect(b.state).toBe(BreakerState.halfOpen);
    b.onSuccess(cfg);
    expect(b.state).toBe(BreakerState.closed);
    expect(seen).toEqual([BreakerState.open, BreakerState.halfOpen, BreakerState.closed]);
  });

  it('a failed probe re-opens it for another recoveryTimeout', () => {
    const b = new CircuitBreaker();
    for (let i = 0; i < 3; i++) b.onFailure(cfg, 0);
    expect(b.tryAcquire(cfg, 1500)).toBe(true);
    b.onFailure(cfg, 1500);
    expect(b.state).toBe(BreakerState.open);
    expect(b.available(cfg, 2400)).toBe(false);
    expect(b.available(cfg, 2500)).toBe(true);
  });
});
