import { z } from 'zod';
import { optionalSpec, PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

/** `ployd.ai/v1 Environment`: seed 001's promotion table (dev auto, staging auto, production manual). */
export const EnvironmentSpec = z.object({
  /** Branch the environment follows (seed 001: dev follows develop, staging and production main). */
  branch: z.string().optional(),
  promotion: z.object({ mode: z.enum(['auto', 'manual']).default('auto'), from: z.string().optional() }).default({ mode: 'auto' }),
  validation: z.enum(['basic', 'full', 'comprehensive']).default('basic'),
  resources: z.enum(['minimal', 'production-like', 'full']).optional(),
  /** Order in the promotion chain (dev 0, staging 1, production 2). */
  order: z.number().int().min(0).optional(),
  /** Kubernetes namespace the environment maps to on the Kubernetes target. */
  namespace: z.string().optional(),
});

export const Environment = resourceSchema(PLOYD_API_VERSION, 'Environment', optionalSpec(EnvironmentSpec));
export type Environment = z.infer<typeof Environment>;
