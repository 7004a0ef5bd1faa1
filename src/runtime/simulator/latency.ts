import type { Rng } from './prng.ts';

/** The latency knobs, all in milliseconds. */
export interface LatencyConfig {
  readonly timeToFirstToken: number;
  readonly prefillTimePerToken: number;
  readonly interTokenLatency: number;
  readonly latencyStdDev: number;
  readonly timeFactorUnderLoad: number;
  readonly addedLatency: number;
  readonly maxNumSeqs: number;
}

/**
 * How much slower everything is with `running` sequences: 1 with one sequence, rising linearly to
 * `timeFactorUnderLoad` at max-num-seqs (llm-d-inference-sim's `time-factor-under-load`).
 */
export function loadFactor(cfg: LatencyConfig, running: number): number {
  if (cfg.timeFactorUnderLoad <= 1 || cfg.maxNumSeqs <= 1) return 1;
  const share = Math.min(1, Math.max(0, running - 1) / (cfg.maxNumSeqs - 1));
  return 1 + (cfg.timeFactorUnderLoad - 1) * share;
}

/**
 * Time to first token once a request runs: the constant, plus prefill per prompt token, scaled by
 * load, with normal noise clamped at zero, plus the injected added latency.
 */
export function sampleTimeToFirstToken(cfg: LatencyConfig, promptTokens: number, running: number, rng: Rng): number {
  const base = (cfg.timeToFirstToken + cfg.prefillTimePerToken * promptTokens) * loadFactor(cfg, running);
  return Math.max(0, rng.normal(base, cfg.latencyStdDev)) + cfg.addedLatency;
}

/** Gap before the next token, scaled by load, normal noise clamped at zero. */
export function sampleInterTokenLatency(cfg: LatencyConfig, running: number, rng: Rng): number {
  if (cfg.interTokenLatency === 0 && cfg.latencyStdDev === 0) return 0;
  return Math.max(0, rng.normal(cfg.interTokenLatency * loadFactor(cfg, running), cfg.latencyStdDev));
}
