import { z } from 'zod';
import { Duration } from '../quantity.ts';
import { PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

/** Seed 000's validate-deployment: N real requests, a minimum success rate and a maximum latency. */
export const ValidationGate = z.object({
  /** ModelDeployment to test; default: the phase's deployed model. */
  model: z.string().optional(),
  requests: z.number().int().min(1).default(20),
  minSuccessRate: z.number().min(0).max(1).default(0.99),
  maxLatencyMs: z.number().positive().default(2000),
  /** `average` as the seed computes it, or a percentile. */
  latencyStat: z.enum(['average', 'p50', 'p95', 'p99']).default('average'),
  endpoint: z.enum(['completions', 'chat']).default('completions'),
  prompt: z.string().default('Test request {i}'),
  maxTokens: z.number().int().min(1).default(10),
  timeout: Duration.default(10_000),
});
export type ValidationGate = z.infer<typeof ValidationGate>;

export const RolloutPhase = z.object({
  name: z.string().min(1),
  /** Phases that must finish first (the seed's sequential steps); default: the previous phase. */
  dependsOn: z.array(z.string()).optional(),
  /** CEL over `parameters` and `phases` (e.g. `phases['validate-7b'].result == 'success'`). */
  when: z.string().optional(),
  deploy: z.object({ model: z.string().min(1), replicas: z.number().int().min(0).optional() }).optional(),
  validate: ValidationGate.optional(),
  /** Routing step: set these backend weights on a GatewayRoute. */
  route: z
    .object({
      name: z.string().min(1),
      weights: z.record(z.string(), z.number().int().min(0).max(100)).optional(),
    })
    .optional(),
});
export type RolloutPhase = z.infer<typeof RolloutPhase>;

export const ModelRolloutSpec = z.object({
  parameters: z.record(z.string(), z.string()).default({}),
  phases: z.array(RolloutPhase).min(1),
  /** What a failed phase does: stop (keep what runs) or roll back the phases done. */
  onFailure: z.enum(['stop', 'rollback']).default('stop'),
});

/** `ployd.ai/v1 ModelRollout`: seed 000's phased rollout (deploy, validate, route, next phase). */
export const ModelRollout = resourceSchema(PLOYD_API_VERSION, 'ModelRollout', ModelRolloutSpec);
export type ModelRollout = z.infer<typeof ModelRollout>;

/** Each phase's prerequisites after defaults: explicit dependsOn, else the phase before it. */
export function phaseDependencies(spec: ModelRollout['spec']): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  spec.phases.forEach((p, i) => {
    const prev = spec.phases[i - 1];
    deps.set(p.name, p.dependsOn ?? (prev ? [prev.name] : []));
  });
  return deps;
}
