import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';

export const FAILURE_TYPES = ['server_error', 'rate_limit', 'timeout', 'disconnect'] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

const Ms = z.number().min(0).max(3_600_000);

/**
 * What may change while the simulator runs (`PUT /admin/config`). Durations are milliseconds.
 * Strict: an unknown field is an error, so a typo in a test cannot silently do nothing.
 */
export const SimulatorRuntimeConfig = z.strictObject({
  timeToFirstToken: Ms,
  prefillTimePerToken: Ms,
  interTokenLatency: Ms,
  latencyStdDev: Ms,
  /** Multiplier on latencies at max-num-seqs running (1 = no slowdown). */
  timeFactorUnderLoad: z.number().min(1).max(100),
  /** Added to every request's time to first token (and to embeddings). */
  addedLatency: Ms,
  /** Probability 0..1 that a request fails with one of `failureTypes`. */
  failureRate: z.number().min(0).max(1),
  failureTypes: z.array(z.enum(FAILURE_TYPES)).min(1),
  maxNumSeqs: z.number().int().min(1).max(100_000),
  maxWaitingQueueLength: z.number().int().min(0).max(1_000_000),
  /** Status when the waiting queue is full. */
  queueFullStatus: z.union([z.literal(429), z.literal(503)]),
  mode: z.enum(['echo', 'random']),
  /** Output length in random mode when the request sets no max_tokens. */
  outputTokens: z.number().int().min(1).max(1_000_000),
});
export type SimulatorRuntimeConfig = z.infer<typeof SimulatorRuntimeConfig>;

/** A partial update for `PUT /admin/config`. */
export const SimulatorConfigPatch = SimulatorRuntimeConfig.partial();
export type SimulatorConfigPatch = z.infer<typeof SimulatorConfigPatch>;

/** Fixed at start. */
export const SimulatorStaticOptions = z.strictObject({
  /** The served model name clients send as `model`. */
  model: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  /** Seed of every random draw (output text, latency noise, failure picks). */
  seed: z.number().int(),
  /** `/health` answers 503 and inference endpoints refuse for this long after start. */
  startupDelay: Ms,
  /** Context length: requests beyond it get 400; with max-num-seqs it sizes the simulated KV cache. */
  maxModelLen: z.number().int().min(1),
  embeddingDimensions: z.number().int().min(1).max(16_384),
  /** When set, `/admin/*` requires `Authorization: Bearer <token>`. */
  adminToken: z.string().min(1).optional(),
  /** How long a graceful stop waits for in-flight requests. */
  gracePeriod: Ms,
});
export type SimulatorStaticOptions = z.infer<typeof SimulatorStaticOptions>;

export type SimulatorSettings = SimulatorStaticOptions & SimulatorRuntimeConfig;

/** What `startSimulator` accepts: only `model` is required. */
export type SimulatorOptions = { model: string } & Partial<Omit<SimulatorSettings, 'model'>>;

export const DEFAULT_SETTINGS: Omit<SimulatorSettings, 'model' | 'adminToken'> = {
  host: '127.0.0.1',
  port: 8000,
  seed: 0,
  startupDelay: 0,
  maxModelLen: 4096,
  embeddingDimensions: 384,
  gracePeriod: 30_000,
  timeToFirstToken: 0,
  prefillTimePerToken: 0,
  interTokenLatency: 0,
  latencyStdDev: 0,
  timeFactorUnderLoad: 1,
  addedLatency: 0,
  failureRate: 0,
  failureTypes: [...FAILURE_TYPES],
  maxNumSeqs: 256,
  maxWaitingQueueLength: 1000,
  queueFullStatus: 429,
  mode: 'random',
  outputTokens: 32,
};

/** Formats zod issues as `field: message; …` so errors name the offending field. */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues.map((i) => `${prefix}${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Defaults filled in and every field checked; a bad option is a coded error naming the field. */
export function resolveSettings(options: SimulatorOptions): SimulatorSettings {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULT_SETTINGS, ...defined };
  const { model, host, port, seed, startupDelay, maxModelLen, embeddingDimensions, adminToken, gracePeriod, ...runtime } = merged as SimulatorSettings;
  const s = SimulatorStaticOptions.safeParse({ model, host, port, seed, startupDelay, maxModelLen, embeddingDimensions, gracePeriod, ...(adminToken !== undefined ? { adminToken } : {}) });
  if (!s.success) throw new PloydError('E_VALIDATION', `invalid simulator option: ${formatIssues(s.error)}`);
  const r = SimulatorRuntimeConfig.safeParse(runtime);
  if (!r.success) throw new PloydError('E_VALIDATION', `invalid simulator option: ${formatIssues(r.error)}`);
  return { ...s.data, ...r.data };
}

/** The runtime part of settings, as `GET /admin/config` shows it. */
export function runtimeConfigOf(s: SimulatorSettings): SimulatorRuntimeConfig {
  return {
    timeToFirstToken: s.timeToFirstToken,
    prefillTimePerToken: s.prefillTimePerToken,
    interTokenLatency: s.interTokenLatency,
    latencyStdDev: s.latencyStdDev,
    timeFactorUnderLoad: s.timeFactorUnderLoad,
    addedLatency: s.addedLatency,
    failureRate: s.failureRate,
    failureTypes: [...s.failureTypes],
    maxNumSeqs: s.maxNumSeqs,
    maxWaitingQueueLength: s.maxWaitingQueueLength,
    queueFullStatus: s.queueFullStatus,
    mode: s.mode,
    outputTokens: s.outputTokens,
  };
}
