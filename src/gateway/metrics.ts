import { collectDefaultMetrics, Registry } from 'prom-client';
import { type CounterSeries, CounterFamily, GaugeFamily, HistogramFamily, type HistogramSeries, type Metric, seriesGeneration } from './exposition.ts';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/** The series of one (route, backend) pair, bound once so the request path does no label lookups. */
export interface BackendSeries {
  readonly generation: number;
  readonly route: string;
  readonly backend: string;
  readonly latency: HistogramSeries;
  readonly ttft: HistogramSeries;
  readonly tokensIn: CounterSeries;
  readonly tokensOut: CounterSeries;
  readonly byStatus: Map<number, CounterSeries>;
}

/**
 * The gateway's Prometheus metrics. Hot-path series are hand-rolled (see exposition.ts); process
 * metrics (CPU, memory, event-loop lag) come from prom-client's defaults in a registry of its own.
 */
export class GatewayMetrics {
  readonly #families: Metric[] = [];
  readonly #process = new Registry();

  readonly requests = this.#add(new CounterFamily('ployd_gateway_requests_total', 'Requests answered, by route, backend and HTTP status', ['route', 'backend', 'code']));
  readonly latency = this.#add(new HistogramFamily('ployd_gateway_request_duration_seconds', 'Time from request to the last response byte', ['route', 'backend'], LATENCY_BUCKETS));
  readonly ttft = this.#add(new HistogramFamily('ployd_gateway_time_to_first_token_seconds', 'Time from request to the first streamed chunk', ['route', 'backend'], LATENCY_BUCKETS));
  readonly tokens = this.#add(new CounterFamily('ployd_gateway_tokens_total', 'Tokens reported by upstream usage, by direction (in = prompt, out = completion)', ['route', 'backend', 'direction']));
  readonly errors = this.#add(new CounterFamily('ployd_gateway_errors_total', 'Failed requests and upstream attempts, by route, backend and error code', ['route', 'backend', 'code']));
  readonly inflight = this.#add(new GaugeFamily('ployd_gateway_in_flight_requests', 'Requests being served, by route', ['route']));
  readonly breaker = this.#add(new GaugeFamily('ployd_gateway_circuit_breaker_state', 'Circuit breaker state per backend: 0 closed, 1 open, 2 half-open', ['route', 'backend']));
  readonly rejections = this.#add(new CounterFamily('ployd_gateway_ratelimit_rejections_total', 'Requests refused by a rate limit, by route and limit kind', ['route', 'kind']));
  readonly retries = this.#add(new CounterFamily('ployd_gateway_upstream_retries_total', 'Upstream attempts after the first, by route and backend', ['route', 'backend']));
  readonly overhead = this.#add(new HistogramFamily('ployd_gateway_overhead_seconds', 'Time spent in the gateway itself (request time minus upstream time and deliberate backoff)', ['route'], OVERHEAD_BUCKETS));

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.#process, prefix: 'ployd_gateway_' });
  }

  readonly #bound = new WeakMap<object, BackendSeries>();

  /**
   * Series for a backend of a route, cached on `owner` (the compiled backend: a reload makes new
   * ones, and the old entries go with them). Same series as `labels(route, backend)` would give.
   */
  backendSeries(owner: object, route: string, backend: string): BackendSeries {
    let b = this.#bound.get(owner);
    if (!b || b.generation !== seriesGeneration()) {
      b = {
        generation: seriesGeneration(),
        route,
        backend,
        latency: this.latency.labels(route, backend),
        ttft: this.ttft.labels(route, backend),
        tokensIn: this.tokens.labels(route, backend, 'in'),
        tokensOut: this.tokens.labels(route, backend, 'out'),
        byStatus: new Map(),
      };
      this.#bound.set(owner, b);
    }
    return b;
  }

  /** The requests counter of a backend's series for one status code. */
  requestsWith(b: BackendSeries, status: number): CounterSeries {
    let c = b.byStatus.get(status);
    if (!c) b.byStatus.set(status, (c = this.requests.labels(b.route, b.backend, String(status))));
    return c;
  }

  #add<M extends Metric>(m: M): M {
    this.#families.push(m);
    return m;
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    let body = '';
    for (const f of this.#families) body += f.expose();
    body += await this.#process.metrics();
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body };
  }
}
