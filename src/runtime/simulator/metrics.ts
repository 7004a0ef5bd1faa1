import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** vLLM's own bucket boundaries, so dashboards built for vLLM read the simulator unchanged. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const E2E_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

/** Live numbers the gauges read at scrape time. */
export interface LoadSnapshot {
  running(): number;
  waiting(): number;
  /** 0..1 */
  kvCacheUsage(): number;
}

export interface SimulatorMetrics {
  readonly registry: Registry;
  observeTimeToFirstToken(seconds: number): void;
  observeInterTokenLatency(seconds: number): void;
  observeE2e(seconds: number): void;
  addPromptTokens(n: number): void;
  addGenerationTokens(n: number): void;
  success(finishReason: string): void;
}

/** vLLM's metric names with the `model_name` label, in a registry of this simulator alone. */
export function createSimulatorMetrics(model: string, load: LoadSnapshot): SimulatorMetrics {
  const registry = new Registry();
  const labels = { model_name: model };
  const labelNames = ['model_name'] as const;
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.set(labels, read());
      },
    });
  };
  gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', () => load.running());
  gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', () => load.waiting());
  gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', () => load.kvCacheUsage());
  // Older vLLM (V0) name of the same gauge, still read by some autoscalers and dashboards.
  gauge('vllm:gpu_cache_usage_perc', 'GPU KV-cache usage. 1 means 100 percent usage (deprecated alias).', () => load.kvCacheUsage());

  const hist = (name: string, help: string, buckets: number[]) =>
    new Histogram({ name, help, labelNames, buckets, registers: [registry] }).labels(labels);
  const ttft = hist('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
  const itl = hist('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', ITL_BUCKETS);
  const tpot = hist('vllm:time_per_output_token_seconds', 'Histogram of time per output token in seconds (alias of inter_token_latency).', ITL_BUCKETS);
  const e2e = hist('vllm:e2e_request_latency_seconds', 'Histogram of end to end request latency in seconds.', E2E_BUCKETS);
  const prompt = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames, registers: [registry] }).labels(labels);
  const gen = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', labelNames, registers: [registry] }).labels(labels);
  const success = new Counter({
    name: 'vllm:request_success_total',
    help: 'Count of successfully processed requests.',
    labelNames: ['model_name', 'finished_reason'],
    registers: [registry],
  });

  return {
    registry,
    observeTimeToFirstToken: (s) => ttft.observe(s),
    observeInterTokenLatency: (s) => {
      itl.observe(s);
      tpot.observe(s);
    },
    observeE2e: (s) => e2e.observe(s),
    addPromptTokens: (n) => prompt.inc(n),
    addGenerationTokens: (n) => {
      if (n > 0) gen.inc(n);
    },
    success: (reason) => success.inc({ model_name: model, finished_reason: reason }),
  };
}
