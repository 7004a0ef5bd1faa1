import type { Logger } from '../log/index.ts';
import type { BalancerState, ServerLoad } from './balancer/index.ts';
import type { UpstreamPools } from './proxy.ts';
import type { RouteTableSnapshot } from './route-table.ts';

const METRIC_RE = /^(vllm:num_requests_waiting|vllm:num_requests_running|vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc)(?:\{[^}]*\})?\s+([0-9.eE+-]+|NaN)/gm;

/**
 * Reads the queue figures a vLLM-compatible server exports (summing over label sets, e.g. one per
 * model). Undefined when none of them is there: the replica's load is unknown, i.e. saturated.
 */
export function parseServerLoad(text: string, at: number): ServerLoad | undefined {
  let waiting = 0;
  let running = 0;
  let kv = 0;
  let found = false;
  METRIC_RE.lastIndex = 0;
  for (let m = METRIC_RE.exec(text); m; m = METRIC_RE.exec(text)) {
    const v = Number(m[2]);
    if (!Number.isFinite(v)) continue;
    found = true;
    if (m[1] === 'vllm:num_requests_waiting') waiting += v;
    else if (m[1] === 'vllm:num_requests_running') running += v;
    else kv = Math.max(kv, v > 1 ? v / 100 : v);
  }
  return found ? { waiting, running, kvCacheUsage: kv, at } : undefined;
}

/** Periodically scrapes `/metrics` of replicas that serve least_busy rules, into the balancer state. */
export class LoadScraper {
  readonly #timer: NodeJS.Timeout | undefined;
  #targets: { id: string; origin: string; path: string }[] = [];
  #running = false;

  constructor(
    private readonly state: BalancerState,
    private readonly pools: UpstreamPools,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.scrapeOnce(), intervalMs);
      this.#timer.unref();
    }
  }

  update(snapshot: RouteTableSnapshot): void {
    const targets = new Map<string, { id: string; origin: string; path: string }>();
    for (const route of snapshot.routes) {
      for (const rule of route.rules) {
        if (rule.strategy !== 'least_busy') continue;
        for (const b of rule.backends) for (const r of b.replicas) targets.set(r.id, { id: r.id, origin: r.origin, path: `${r.basePath}/metrics` });
      }
    }
    this.#targets = [...targets.values()];
  }

  async scrapeOnce(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await Promise.all(
        this.#targets.map(async (t) => {
          try {
            const res = await this.pools.get(t.origin).request({ path: t.path, method: 'GET', headersTimeout: 1000, bodyTimeout: 1000 });
            const text = await res.body.text();
            if (res.statusCode !== 200) return;
            const load = parseServerLoad(text, Date.now());
            if (load) this.state.replica(t.id).load = load;
          } catch (err) {
            // Left stale on purpose: a replica whose metrics cannot be read counts as saturated.
            this.log.debug({ err, replica: t.id }, 'gateway: metrics scrape failed');
          }
        }),
      );
    } finally {
      this.#running = false;
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
