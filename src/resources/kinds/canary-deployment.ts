import { z } from 'zod';
import { Duration } from '../quantity.ts';
import { PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

/**
 * Canary metrics the controller knows, and which way a threshold bounds them: success_rate is a
 * floor (percent), latencies and error_rate are ceilings (ms, percent).
 */
export const CANARY_METRICS = {
  success_rate: 'min',
  error_rate: 'max',
  latency_p50: 'max',
  latency_p95: 'max',
  latency_p99: 'max',
  ttft_p95: 'max',
} as const;
export type CanaryMetricName = keyof typeof CANARY_METRICS;

export const AnalysisMetric = z.object({
  name: z.enum(Object.keys(CANARY_METRICS) as [CanaryMetricName, ...CanaryMetricName[]]),
  threshold: z.number(),
  /** Overrides the metric's natural direction. */
  bound: z.enum(['min', 'max']).optional(),
});

const Side = z.object({ model: z.string().min(1), replicas: z.number().int().min(0).optional() });

export const CanaryDeploymentSpec = z.object({
  stable: Side,
  canary: Side,
  /** GatewayRoute whose backends are shifted; default: every route that names the stable model. */
  route: z.string().optional(),
  traffic: z.object({
    canaryWeight: z.number().int().min(0).max(100).default(10),
    maxWeight: z.number().int().min(1).max(100).default(100),
    stepWeight: z.number().int().min(1).max(100).default(10),
    /** Explicit weight steps (seed 001: 5 → 25 → 50 → 100); overrides stepWeight. */
    steps: z.array(z.number().int().min(0).max(100)).optional(),
    interval: Duration.default(300_000),
  }),
  analysis: z
    .object({
      metrics: z.array(AnalysisMetric).default([]),
      /** Consecutive failed checks that roll back. */
      failureThreshold: z.number().int().min(1).default(3),
      /** Consecutive passed checks needed before each step. */
      successThreshold: z.number().int().min(1).default(1),
      /** Look-back window of the gateway's rolling metrics. */
      window: Duration.optional(),
      minRequests: z.number().int().min(0).default(20),
    })
    .default({ metrics: [], failureThreshold: 3, successThreshold: 1, minRequests: 20 }),
});

/** `ployd.ai/v1 CanaryDeployment`: shift traffic step by step to a new version, roll back on bad metrics. */
export const CanaryDeployment = resourceSchema(PLOYD_API_VERSION, 'CanaryDeployment', CanaryDeploymentSpec);
export type CanaryDeployment = z.infer<typeof CanaryDeployment>;

/** The weight sequence a canary walks: explicit steps, or canaryWeight + k·stepWeight up to maxWeight. */
export function canarySteps(spec: CanaryDeployment['spec']['traffic']): number[] {
  if (spec.steps && spec.steps.length > 0) return spec.steps;
  const steps: number[] = [];
  for (let w = spec.canaryWeight; w < spec.maxWeight; w += spec.stepWeight) steps.push(w);
  steps.push(spec.maxWeight);
  return steps;
}
