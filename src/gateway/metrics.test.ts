import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './metrics.ts';

describe('GatewayMetrics.backendSeries', () => {
  it('binds the same series the labels would give, and exports what is counted through it', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    const owner = {};
    const s = m.backendSeries(owner, 'ns/r', 'b1');
    expect(m.backendSeries(owner, 'ns/r', 'b1')).toBe(s);
    expect(s.latency).toBe(m.latency.labels('ns/r', 'b1'));
    m.requestsWith(s, 200).inc();
    m.requestsWith(s, 200).inc();
    s.tokensOut.inc(7);
    const { body } = await m.exposition();
    expect(body).toContain('ployd_gateway_requests_total{route="ns/r",backend="b1",code="200"} 2');
    expect(body).toContain('ployd_gateway_tokens_total{route="ns/r",backend="b1",direction="out"} 7');
  });

  it('re-binds after a family drops its series at the cardinality cap, so counts are not lost', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    const owner = {};
    const before = m.backendSeries(owner, 'ns/r', 'b1');
    for (let i = 0; i <= 10_000; i++) m.retries.labels('ns/r', `b${i}`);
    const after = m.backendSeries(owner, 'ns/r', 'b1');
    expect(after).not.toBe(before);
    m.requestsWith(after, 500).inc();
    expect((await m.exposition()).body).toContain('ployd_gateway_requests_total{route="ns/r",backend="b1",code="500"} 1');
  });
});
