import type { LLMDeployment } from '../kinds/llm-deployment.ts';
import { PLOYD_API_VERSION } from '../metadata.ts';

type Json = Record<string, unknown>;

/** Removes undefined members so converted manifests print cleanly and compare structurally. */
export function compact<T extends Json>(obj: T): T {
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? compact(v as Json) : v;
  }
  return out as T;
}

function isEmpty(v: unknown): boolean {
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

/** Frameworks that name a weights format rather than a server: llm-d serves them with vLLM. */
const WEIGHT_FORMATS = new Set(['pytorch', 'safetensors', 'gguf', 'huggingface']);

/**
 * Converts seed 000's LLMDeployment to a ModelDeployment manifest, field by field. Quantities are
 * kept as written (the ModelDeployment schema parses them); `nvidia.com/gpu` becomes gpu.count.
 */
export function convertLLMDeployment(src: LLMDeployment): Json {
  const s = src.spec;
  const gpu = s.resources?.limits?.['nvidia.com/gpu'] ?? s.resources?.requests?.['nvidia.com/gpu'];
  const rl = (name: string): Json | undefined => {
    const out = compact({ requests: s.resources?.requests?.[name], limits: s.resources?.limits?.[name] });
    return isEmpty(out) ? undefined : out;
  };
  const framework = s.model.framework;
  const tensor = s.model.parallelism?.tensor;
  const spec = compact({
    model: compact({
      name: s.model.name,
      framework: framework === undefined || WEIGHT_FORMATS.has(framework) ? 'vllm' : framework,
      format: framework !== undefined && WEIGHT_FORMATS.has(framework) ? framework : undefined,
      path: s.model.source?.modelUri,
      architecture: s.model.architecture,
      parameterCount: s.model.parameters,
      parallelism: s.model.parallelism ? compact({ tensor, pipeline: s.model.parallelism.pipeline }) : undefined,
      vllm:
        tensor !== undefined || s.serving?.maxSequenceLength !== undefined || s.serving?.batchSize !== undefined
          ? compact({ tensor_parallel_size: tensor, max_model_len: s.serving?.maxSequenceLength, max_num_seqs: s.serving?.batchSize })
          : undefined,
    }),
    replicas: s.replicas,
    resources:
      gpu === undefined && !s.resources
        ? undefined
        : compact({ gpu: gpu === undefined ? undefined : { count: Number(gpu) }, cpu: rl('cpu'), memory: rl('memory') }),
    scaling: s.autoscaling
      ? compact({
          enabled: s.autoscaling.enabled,
          minReplicas: s.autoscaling.minReplicas,
          maxReplicas: s.autoscaling.maxReplicas,
          targetGPUUtilization: s.autoscaling.targetGPUUtilization,
        })
      : undefined,
    serving: s.serving ? compact({ ...s.serving }) : undefined,
    monitoring: s.monitoring ? compact({ ...s.monitoring }) : undefined,
    nodeSelector: s.nodeSelector,
    tolerations: s.tolerations,
    affinity: s.affinity,
  });
  return {
    apiVersion: PLOYD_API_VERSION,
    kind: 'ModelDeployment',
    metadata: compact({ ...src.metadata, annotations: { ...src.metadata.annotations, 'ployd.ai/converted-from': 'inference.llm-d.io/v1alpha1/LLMDeployment' } }),
    spec,
  };
}
