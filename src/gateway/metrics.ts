import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/** Caches bound label children: prom-client's label hashing per call is the costly part on the hot path. */
function bound<C>(metric: { labels(...values: string[]): C }): (...values: string[]) => C {
  const cache = new Map<string, C>();
  return (...values: string[]) => {
    const key = values.join('\u0000');
    let child = cache.get(key);
    if (child === undefined) {
      child = metric.labels(...values);
      if (cache.size > 10_000) cache.clear();
      cache.set(key, child);
    }
    return child;
  };
}

/** The gateway's Prometheus metrics, in a registry of its own (several gateways may share a process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = bound(new Counter({ name: 'ployd_gateway_requests_total', help: 'Requests answered, by route, backend and HTTP status', labelNames: ['route', 'backend', 'code'], registers: [this.registry] }));
  readonly latency = bound(new Histogram({ name: 'ployd_gateway_request_duration_seconds', help: 'Time from request to the last response byte', labelNames: ['route', 'backend'], buckets: LATENCY_BUCKETS, registers: [this.registry] }));
  readonly ttft = bound(new Histogram({ name: 'ployd_gateway_time_to_first_token_seconds', help: 'Time from request to the first streamed chunk', labelNames: ['route', 'backend'], buckets: LATENCY_BUCKETS, registers: [this.registry] }));
  readonly tokens = bound(new Counter({ name: 'ployd_gateway_tokens_total', help: 'Tokens reported by upstream usage, by direction (in = prompt, out = completion)', labelNames: ['route', 'backend', 'direction'], registers: [this.registry] }));
  readonly errors = bound(new Counter({ name: 'ployd_gateway_errors_total', help: 'Failed requests and upstream attempts, by route, backend and error code', labelNames: ['route', 'backend', 'code'], registers: [this.registry] }));
  readonly inflight = bound(new Gauge({ name: 'ployd_gateway_in_flight_requests', help: 'Requests being served, by route', labelNames: ['route'], registers: [this.registry] }));
  readonly breaker = bound(new Gauge({ name: 'ployd_gateway_circuit_breaker_state', help: 'Circuit breaker state per backend: 0 closed, 1 open, 2 half-open', labelNames: ['route', 'backend'], registers: [this.registry] }));
  readonly rejections = bound(new Counter({ name: 'ployd_gateway_ratelimit_rejections_total', help: 'Requests refused by a rate limit, by route and limit kind', labelNames: ['route', 'kind'], registers: [this.registry] }));
  readonly retries = bound(new Counter({ name: 'ployd_gateway_upstream_retries_total', help: 'Upstream attempts after the first, by route and backend', labelNames: ['route', 'backend'], registers: [this.registry] }));
  readonly overhead = bound(new Histogram({ name: 'ployd_gateway_overhead_seconds', help: "Time spent in the gateway itself (request time minus upstream time)", labelNames: ['route'], buckets: OVERHEAD_BUCKETS, registers: [this.registry] }));

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
