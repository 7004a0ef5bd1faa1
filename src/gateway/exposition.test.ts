import { describe, expect, it } from 'vitest';
import { CounterFamily, HistogramFamily } from './exposition.ts';

describe('hand-rolled exposition', () => {
  it('writes counters and cumulative histogram buckets in the Prometheus text format', () => {
    const c = new CounterFamily('x_total', 'help', ['route', 'code']);
    c.labels('a"b', '200').inc();
    c.labels('a"b', '200').inc(2);
    expect(c.expose()).toBe('# HELP x_total help\n# TYPE x_total counter\nx_total{route="a\\"b",code="200"} 3\n');
    const h = new HistogramFamily('h_seconds', 'help', ['route'], [0.1, 1]);
    const s = h.labels('r');
    s.observe(0.05);
    s.observe(0.5);
    s.observe(5);
    expect(h.expose()).toContain('h_seconds_bucket{route="r",le="0.1"} 1\nh_seconds_bucket{route="r",le="1"} 2\nh_seconds_bucket{route="r",le="+Inf"} 3\nh_seconds_sum{route="r"} 5.55\nh_seconds_count{route="r"} 3\n');
  });
});
