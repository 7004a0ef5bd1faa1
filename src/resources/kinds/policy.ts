import { z } from 'zod';
import { PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

/**
 * `ployd.ai/v1 Policy`: CEL rules in the style of Kubernetes ValidatingAdmissionPolicy. Each
 * expression sees `object` (the resource) and `environment` (its name) and must be true.
 *
 * @example
 * spec:
 *   match: { kinds: [Pod, Deployment] }
 *   validations:
 *     - expression: "object.spec.containers.all(c, !has(c.securityContext) || c.securityContext.runAsRoot != true)"
 *       message: Containers must not run as root
 *   action: deny
 */
export const PolicySpec = z.object({
  match: z
    .object({
      kinds: z.array(z.string()).default(['*']),
      apiGroups: z.array(z.string()).optional(),
      environments: z.array(z.string()).optional(),
      names: z.array(z.string()).optional(),
    })
    .default({ kinds: ['*'] }),
  variables: z.array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), expression: z.string() })).optional(),
  validations: z.array(z.object({ expression: z.string().min(1), message: z.string().optional(), reason: z.string().optional() })).min(1),
  action: z.enum(['deny', 'warn']).default('deny'),
});

export const Policy = resourceSchema(PLOYD_API_VERSION, 'Policy', PolicySpec);
export type Policy = z.infer<typeof Policy>;
