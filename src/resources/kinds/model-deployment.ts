import { z } from 'zod';
import { Duration, IntLike, Quantity } from '../quantity.ts';
import { PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

/** Model-server frameworks PloyD knows how to launch, probe and scrape (src/runtime/frameworks). */
export const Framework = z.enum(['vllm', 'llama.cpp', 'tgi', 'ollama', 'simulator', 'command']);
export type Framework = z.infer<typeof Framework>;

/** A Kubernetes-style probe; only httpGet is meaningful to the local runtime. */
export const Probe = z.object({
  httpGet: z.object({ path: z.string().default('/health'), port: z.union([z.number().int(), z.string()]).optional() }).optional(),
  initialDelaySeconds: z.number().int().min(0).default(0),
  periodSeconds: z.number().int().min(1).default(10),
  timeoutSeconds: z.number().int().min(1).default(1),
  failureThreshold: z.number().int().min(1).default(3),
  successThreshold: z.number().int().min(1).default(1),
});

/** `vllm serve` flags, in vLLM's own snake_case as seed 001 writes them. */
export const VllmConfig = z.object({
  tensor_parallel_size: z.number().int().min(1).optional(),
  pipeline_parallel_size: z.number().int().min(1).optional(),
  max_model_len: z.number().int().min(1).optional(),
  gpu_memory_utilization: z.number().gt(0).max(1).optional(),
  max_num_seqs: z.number().int().min(1).optional(),
  served_model_name: z.string().optional(),
  dtype: z.string().optional(),
  quantization: z.string().optional(),
  extra_args: z.array(z.string()).optional(),
});

/** The simulator's knobs (src/runtime/simulator): latency, capacity, failure injection. */
export const SimulatorConfig = z.object({
  timeToFirstToken: Duration.optional(),
  prefillTimePerToken: Duration.optional(),
  interTokenLatency: Duration.optional(),
  latencyStdDev: Duration.optional(),
  maxNumSeqs: z.number().int().min(1).optional(),
  maxWaitingQueueLength: z.number().int().min(0).optional(),
  startupDelay: Duration.optional(),
  failureRate: z.number().min(0).max(1).optional(),
  failureTypes: z.array(z.enum(['server_error', 'rate_limit', 'timeout', 'disconnect'])).optional(),
  mode: z.enum(['echo', 'random']).optional(),
  seed: z.number().int().optional(),
  outputTokens: z.number().int().min(1).optional(),
});

export const CommandConfig = z.object({
  command: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).optional(),
  /** `{port}` and `{model}` in command args are substituted. */
  metricsPath: z.string().optional(),
});

export const Toleration = z.looseObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const RequestsLimits = z.object({ requests: Quantity.optional(), limits: Quantity.optional() });

export const ModelDeploymentSpec = z
  .object({
    /** Ties the deployment to a ModelRegistry entry. */
    modelRegistry: z.object({ modelId: z.string().optional(), version: z.string().optional() }).optional(),
    model: z.object({
      /** The name clients send as `model`; defaults to metadata.name. */
      name: z.string().optional(),
      version: z.string().optional(),
      framework: Framework.default('vllm'),
      /** Where the weights live: s3://, hf://, a local path. */
      path: z.string().optional(),
      architecture: z.string().optional(),
      /** Weights format (seed 000's LLMDeployment `framework: pytorch`); informational. */
      format: z.string().optional(),
      /** Parameter count (seed 000's `parameters: 7000000000`). */
      parameterCount: z.number().int().positive().optional(),
      /** Default sampling parameters applied when a request omits them. */
      parameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
      parallelism: z.object({ tensor: z.number().int().min(1).default(1), pipeline: z.number().int().min(1).default(1) }).optional(),
      vllm: VllmConfig.optional(),
      simulator: SimulatorConfig.optional(),
      command: CommandConfig.optional(),
      /** Extra arguments for llama.cpp / TGI / Ollama launchers. */
      args: z.array(z.string()).optional(),
      image: z.string().optional(),
    }),
    /** Desired replicas; defaults to scaling.minReplicas (or 1). */
    replicas: z.number().int().min(0).optional(),
    resources: z
      .object({
        gpu: z.object({ count: IntLike.default(0), type: z.string().optional(), memory: Quantity.optional() }).optional(),
        cpu: RequestsLimits.optional(),
        memory: RequestsLimits.optional(),
      })
      .optional(),
    scaling: z
      .object({
        enabled: z.boolean().default(true),
        minReplicas: z.number().int().min(0).default(1),
        maxReplicas: z.number().int().min(1).default(1),
        targetGPUUtilization: z.number().min(1).max(100).optional(),
        /** Target in-flight plus queued requests per replica, used when no GPU metrics exist. */
        targetInFlightPerReplica: z.number().positive().optional(),
        stabilizationWindow: Duration.optional(),
      })
      .optional(),
    serving: z
      .object({
        protocol: z.enum(['http', 'grpc']).default('http'),
        port: z.number().int().min(1).max(65535).optional(),
        batchSize: z.number().int().min(1).optional(),
        maxSequenceLength: z.number().int().min(1).optional(),
      })
      .optional(),
    health: z.object({ livenessProbe: Probe.optional(), readinessProbe: Probe.optional(), startupTimeout: Duration.optional() }).optional(),
    /** Declared price, used by the gateway's cost_optimized strategy. */
    cost: z.object({ inputPer1kTokens: z.number().min(0).default(0), outputPer1kTokens: z.number().min(0).default(0) }).optional(),
    monitoring: z
      .object({
        enabled: z.boolean().default(true),
        serviceMonitor: z.object({ enabled: z.boolean().default(false), interval: Duration.optional() }).optional(),
      })
      .optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(Toleration).optional(),
    /** Kubernetes affinity, passed through to the Kubernetes target as written. */
    affinity: z.record(z.string(), z.unknown()).optional(),
    env: z.record(z.string(), z.string()).optional(),
  });

/**
 * `ployd.ai/v1 ModelDeployment`: one model served by N replicas (seed 001).
 *
 * @example
 * apiVersion: ployd.ai/v1
 * kind: ModelDeployment
 * metadata: { name: llama-7b-chat-v2-1 }
 * spec:
 *   model: { framework: vllm, path: s3://models/llama-7b-chat-v2.1 }
 *   resources: { gpu: { count: 2 } }
 *   scaling: { minReplicas: 1, maxReplicas: 5 }
 */
export const ModelDeployment = resourceSchema(PLOYD_API_VERSION, 'ModelDeployment', ModelDeploymentSpec);
export type ModelDeployment = z.infer<typeof ModelDeployment>;
export type ModelDeploymentSpec = z.infer<typeof ModelDeploymentSpec>;

/** The name clients use for this model (`spec.model.name`, else the vLLM served name, else metadata.name). */
export function servedModelName(md: ModelDeployment): string {
  return md.spec.model.vllm?.served_model_name ?? md.spec.model.name ?? md.metadata.name;
}

/** Desired replica count after defaults: spec.replicas, else scaling.minReplicas, else 1. */
export function desiredReplicas(md: ModelDeployment): number {
  return md.spec.replicas ?? md.spec.scaling?.minReplicas ?? 1;
}

/** GPUs one replica needs. */
export function gpusPerReplica(md: ModelDeployment): number {
  return md.spec.resources?.gpu?.count ?? 0;
}

/** Pipeline-parallel size from the vllm block or the parallelism block. */
export function pipelineParallelSize(md: ModelDeployment): number {
  return md.spec.model.vllm?.pipeline_parallel_size ?? md.spec.model.parallelism?.pipeline ?? 1;
}

/** Context length: the vllm block's max_model_len, else serving.maxSequenceLength (seed 000). */
export function maxModelLen(md: ModelDeployment): number | undefined {
  return md.spec.model.vllm?.max_model_len ?? md.spec.serving?.maxSequenceLength;
}

/** Concurrent sequences: the vllm block's max_num_seqs, else serving.batchSize (seed 000). */
export function maxNumSeqs(md: ModelDeployment): number | undefined {
  return md.spec.model.vllm?.max_num_seqs ?? md.spec.serving?.batchSize;
}

/** Tensor-parallel size from the vllm block or the parallelism block. */
export function tensorParallelSize(md: ModelDeployment): number {
  return md.spec.model.vllm?.tensor_parallel_size ?? md.spec.model.parallelism?.tensor ?? 1;
}
