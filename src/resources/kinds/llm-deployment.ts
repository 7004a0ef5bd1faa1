import { z } from 'zod';
import { resourceSchema } from '../metadata.ts';

const ResourceList = z.record(z.string(), z.union([z.string(), z.number()]));

/** `inference.llm-d.io/v1alpha1 LLMDeployment`, as seed 000 writes it. Read, then converted to a ModelDeployment. */
export const LLMDeploymentSpec = z.object({
  model: z.object({
    name: z.string().optional(),
    source: z.object({ modelUri: z.string() }).optional(),
    framework: z.string().optional(),
    architecture: z.string().optional(),
    parameters: z.number().int().positive().optional(),
    parallelism: z.object({ tensor: z.number().int().min(1).optional(), pipeline: z.number().int().min(1).optional() }).optional(),
  }),
  replicas: z.number().int().min(0).optional(),
  resources: z.object({ requests: ResourceList.optional(), limits: ResourceList.optional() }).optional(),
  serving: z
    .object({
      protocol: z.enum(['http', 'grpc']).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      batchSize: z.number().int().min(1).optional(),
      maxSequenceLength: z.number().int().min(1).optional(),
    })
    .optional(),
  autoscaling: z
    .object({
      enabled: z.boolean().optional(),
      minReplicas: z.number().int().min(0).optional(),
      maxReplicas: z.number().int().min(1).optional(),
      targetGPUUtilization: z.number().min(1).max(100).optional(),
    })
    .optional(),
  monitoring: z
    .object({ enabled: z.boolean().optional(), serviceMonitor: z.object({ enabled: z.boolean().optional(), interval: z.string().optional() }).optional() })
    .optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(z.record(z.string(), z.unknown())).optional(),
  affinity: z.record(z.string(), z.unknown()).optional(),
});

export const LLM_D_API_VERSION = 'inference.llm-d.io/v1alpha1';
export const LLMDeployment = resourceSchema(LLM_D_API_VERSION, 'LLMDeployment', LLMDeploymentSpec);
export type LLMDeployment = z.infer<typeof LLMDeployment>;
