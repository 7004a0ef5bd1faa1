import { describe, expect, it } from 'vitest';
import { RollingWindows } from './rolling-window.ts';
import { parseServerLoad } from './load-scraper.ts';

describe('RollingWindows', () => {
  it('success rate and latency percentiles over the last N seconds', () => {
    let now = 100_000;
    const w = new RollingWindows(60, () => now);
    for (let i = 1; i <= 100; i++) w.record('prod/canary', true, i, i / 2);
    for (let i = 0; i < 5; i++) w.record('prod/canary', false, undefined, undefined);
    const s = w.backendStats('prod/canary', 10);
    expect(s).toMatchObject({ requests: 105, successes: 100, errors: 5 });
    expect(s.successRate).toBeCloseTo(100 / 105);
    // Log buckets: within 10% of the true value.
    expect(s.latencyMs!.p50).toBeGreaterThan(45);
    expect(s.latencyMs!.p50).toBeLessThan(55);
    expect(s.latencyMs!.p99).toBeGreaterThan(90);
    expect(s.latencyMs!.p99).toBeLessThan(110);
    expect(s.ttftMs!.p50).toBeLessThan(28);
    now += 11_000;
    expect(w.backendStats('prod/canary', 10).requests).toBe(0);
    expect(w.backendStats('prod/canary', 60).requests).toBe(105);
    expect(w.backendStats('unknown').successRate).toBe(1);
    expect(w.backends()).toEqual(['prod/canary']);
  });
});

describe('parseServerLoad', () => {
  it('reads vLLM queue metrics, summing label sets', () => {
    const text = '# HELP x\nvllm:num_requests_waiting{model_name="a"} 3\nvllm:num_requests_waiting{model_name="b"} 2\nvllm:num_requests_running{model_name="a"} 7.0\nvllm:kv_cache_usage_perc{model_name="a"} 0.42\n';
    expect(parseServerLoad(text, 5)).toEqual({ waiting: 5, running: 7, kvCacheUsage: 0.42, at: 5 });
    expect(parseServerLoad('other_metric 1\n', 5)).toBeUndefined();
  });
});
