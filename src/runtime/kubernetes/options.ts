import type { Framework } from '../../resources/index.ts';

/** How ModelDeployments become Kubernetes objects. Every field has a documented default. */
export interface KubernetesRenderOptions {
  /** Namespace for every object; overrides `metadata.namespace`. Default: the resource's namespace, else `default`. */
  readonly namespace?: string;
  /** Autoscaler for `scaling.enabled` deployments: HorizontalPodAutoscaler (default) or a KEDA ScaledObject. */
  readonly autoscaler?: 'hpa' | 'keda';
  /** GPUs one node offers; a replica needing more (tensor × pipeline) becomes a LeaderWorkerSet. Default 8. */
  readonly gpusPerNode?: number;
  /** Tag of `vllm/vllm-openai` when `model.image` is unset. Default {@link DEFAULT_VLLM_TAG}. */
  readonly vllmImageTag?: string;
  /** Images per framework when `model.image` is unset (`model.image` always wins). */
  readonly images?: Partial<Record<Framework, string>>;
  /** Seconds the preStop hook waits for endpoint removal to reach every proxy before draining. Default 15. */
  readonly endpointPropagationSeconds?: number;
  /** Seconds the preStop hook lets in-flight requests finish. Default 120. */
  readonly drainTimeoutSeconds?: number;
  /** Prometheus URL KEDA queries. Default `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl?: string;
  /** Waiting requests per replica at which KEDA scales out. Default 5. */
  readonly kedaQueueThreshold?: number;
  /** Extended resource name for GPUs. Default `nvidia.com/gpu`. */
  readonly gpuResourceName?: string;
}

export const DEFAULT_VLLM_TAG = 'v0.11.0';
export const SERVICE_PORT = 8080;
export const METRICS_SERVICE_PORT = 9090;
export const DEFAULT_STARTUP_TIMEOUT_SECONDS = 1800;

/** Options with defaults filled in. */
export interface ResolvedRenderOptions {
  readonly namespace: string | undefined;
  readonly autoscaler: 'hpa' | 'keda';
  readonly gpusPerNode: number;
  readonly vllmImageTag: string;
  readonly images: Partial<Record<Framework, string>>;
  readonly endpointPropagationSeconds: number;
  readonly drainTimeoutSeconds: number;
  readonly prometheusUrl: string;
  readonly kedaQueueThreshold: number;
  readonly gpuResourceName: string;
}

export function resolveOptions(o: KubernetesRenderOptions = {}): ResolvedRenderOptions {
  return {
    namespace: o.namespace,
    autoscaler: o.autoscaler ?? 'hpa',
    gpusPerNode: o.gpusPerNode ?? 8,
    vllmImageTag: o.vllmImageTag ?? DEFAULT_VLLM_TAG,
    images: o.images ?? {},
    endpointPropagationSeconds: o.endpointPropagationSeconds ?? 15,
    drainTimeoutSeconds: o.drainTimeoutSeconds ?? 120,
    prometheusUrl: o.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090',
    kedaQueueThreshold: o.kedaQueueThreshold ?? 5,
    gpuResourceName: o.gpuResourceName ?? 'nvidia.com/gpu',
  };
}
