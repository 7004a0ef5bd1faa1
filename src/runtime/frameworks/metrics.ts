import type { FrameworkMetrics, MetricsFormat } from './types.ts';

/** Prometheus metric names each format reports load under; first name found wins. */
const NAMES: Record<Exclude<MetricsFormat, 'none'>, { running: string[]; waiting: string[]; kv: string[] }> = {
  // vLLM V1 renamed gpu_cache_usage_perc to kv_cache_usage_perc; older servers still say gpu_.
  vllm: {
    running: ['vllm:num_requests_running'],
    waiting: ['vllm:num_requests_waiting'],
    kv: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
  },
  llamacpp: {
    running: ['llamacpp:requests_processing'],
    waiting: ['llamacpp:requests_deferred'],
    kv: ['llamacpp:kv_cache_usage_ratio'],
  },
  tgi: { running: ['tgi_batch_current_size'], waiting: ['tgi_queue_size'], kv: [] },
};

/**
 * Reads samples of the Prometheus text format into name → values (one per label set). Comments,
 * blank lines and malformed lines are skipped: a scrape must never throw on the data path.
 */
export function parsePrometheusSamples(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    let name: string;
    let rest: string;
    if (brace >= 0) {
      name = line.slice(0, brace);
      const close = line.lastIndexOf('}');
      if (close < brace) continue;
      rest = line.slice(close + 1).trim();
    } else {
      const sp = line.search(/\s/);
      if (sp < 0) continue;
      name = line.slice(0, sp);
      rest = line.slice(sp).trim();
    }
    const value = Number(rest.split(/\s+/)[0]);
    if (name === '' || Number.isNaN(value)) continue;
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

function pick(samples: Map<string, number[]>, names: readonly string[], combine: (v: number[]) => number): number | undefined {
  for (const n of names) {
    const v = samples.get(n);
    if (v !== undefined && v.length > 0) return combine(v);
  }
  return undefined;
}

const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
const max = (v: number[]): number => Math.max(...v);

/**
 * Load of one replica from its `/metrics` text. Counts are summed over label sets (one server may
 * report several served names); KV-cache usage takes the maximum, as it is one shared pool.
 *
 * @example
 * parseFrameworkMetrics('vllm', 'vllm:num_requests_running{model_name="m"} 3\n') // { running: 3 }
 */
export function parseFrameworkMetrics(format: MetricsFormat, text: string): FrameworkMetrics {
  if (format === 'none') return {};
  const names = NAMES[format];
  const samples = parsePrometheusSamples(text);
  const result: FrameworkMetrics = {};
  const running = pick(samples, names.running, sum);
  const waiting = pick(samples, names.waiting, sum);
  const kv = pick(samples, names.kv, max);
  if (running !== undefined) result.running = running;
  if (waiting !== undefined) result.waiting = waiting;
  if (kv !== undefined) result.kvCacheUsage = kv;
  return result;
}
