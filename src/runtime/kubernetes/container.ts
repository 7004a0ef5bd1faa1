import { PloydError } from '../../errors/index.ts';
import { maxModelLen, maxNumSeqs, pipelineParallelSize, servedModelName, tensorParallelSize, type ModelDeployment } from '../../resources/index.ts';
import type { ResolvedRenderOptions } from './options.ts';

/**
 * What the model-server container of a pod runs, per framework. Pure: the exact image, command and
 * argv are asserted in tests. This is the Kubernetes-side twin of src/runtime/frameworks (which
 * launches the same servers as local processes); the image entrypoints differ, so the argv is built
 * here for the images named below.
 */
export interface ServerContainer {
  readonly image: string;
  /** Overrides the image entrypoint when set. */
  readonly command?: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** HTTP path the probes call. */
  readonly probePath: string;
  /** Prometheus path, or undefined when the server exports no metrics (Ollama). */
  readonly metricsPath?: string;
  /** Gauge of queued requests, for KEDA; undefined when the server has none. */
  readonly queueMetric?: string;
  /** Gauges the preStop hook sums to know when in-flight requests are done. */
  readonly inFlightMetrics?: readonly string[];
  /** Tensor-parallel servers need a large /dev/shm for NCCL. */
  readonly needsShm: boolean;
}

export const DEFAULT_IMAGES = {
  'llama.cpp': 'ghcr.io/ggml-org/llama.cpp:server',
  'llama.cpp-cuda': 'ghcr.io/ggml-org/llama.cpp:server-cuda',
  tgi: 'ghcr.io/huggingface/text-generation-inference:3.3.4',
  ollama: 'ollama/ollama:0.12.3',
  simulator: 'ployd/ployd:0.1.0',
} as const;

/** Where vLLM keeps the Ray bootstrap script in its official image (used for multi-node groups). */
export const VLLM_MULTI_NODE_SCRIPT = '/vllm-workspace/examples/online_serving/multi-node-serving.sh';

function renderError(md: ModelDeployment, field: string, message: string): PloydError {
  return new PloydError('E_K8S_RENDER', `ModelDeployment ${md.metadata.name}: ${field}: ${message}`, { name: md.metadata.name, field });
}

/** `hf://org/model` → `org/model`; other URIs and paths unchanged; no path → the model's name. */
function weightsRef(md: ModelDeployment): string {
  const p = md.spec.model.path;
  if (p === undefined) return md.spec.model.name ?? md.metadata.name;
  return p.startsWith('hf://') ? p.slice('hf://'.length) : p;
}

const OBJECT_STORE = /^(s3|gs):\/\//;

/**
 * Flags of vLLM's OpenAI server for this deployment, in a fixed order. Object-store URIs are
 * streamed with the Run:ai model streamer, which is how vLLM reads `s3://` and `gs://` directly.
 *
 * @example
 * vllmArgs(md, 8080, false) // ['--model', 's3://m/llama', '--load-format', 'runai_streamer', '--served-model-name', 'llama', ...]
 */
export function vllmArgs(md: ModelDeployment, port: number, multiNode: boolean): string[] {
  const v = md.spec.model.vllm;
  const model = weightsRef(md);
  const extra = v?.extra_args ?? [];
  const args = ['--model', model];
  if (OBJECT_STORE.test(model) && !extra.some((a) => a.startsWith('--load-format'))) args.push('--load-format', 'runai_streamer');
  args.push('--served-model-name', servedModelName(md));
  args.push('--tensor-parallel-size', String(tensorParallelSize(md)));
  args.push('--pipeline-parallel-size', String(pipelineParallelSize(md)));
  if (v?.gpu_memory_utilization !== undefined) args.push('--gpu-memory-utilization', String(v.gpu_memory_utilization));
  const len = maxModelLen(md);
  if (len !== undefined) args.push('--max-model-len', String(len));
  const seqs = maxNumSeqs(md);
  if (seqs !== undefined) args.push('--max-num-seqs', String(seqs));
  if (v?.dtype !== undefined) args.push('--dtype', v.dtype);
  if (v?.quantization !== undefined) args.push('--quantization', v.quantization);
  if (multiNode) args.push('--distributed-executor-backend', 'ray');
  args.push('--host', '0.0.0.0', '--port', String(port));
  args.push(...extra);
  return args;
}

/** Single quotes for `sh -c`, so model paths with spaces or `$` reach vLLM unchanged. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function vllmImage(md: ModelDeployment, o: ResolvedRenderOptions): string {
  return md.spec.model.image ?? o.images.vllm ?? `vllm/vllm-openai:${o.vllmImageTag}`;
}

/** The OpenAI server module works with every vllm-openai image, whatever its entrypoint. */
const VLLM_SERVER = ['python3', '-m', 'vllm.entrypoints.openai.api_server'];

const VLLM_CONTAINER = {
  probePath: '/health',
  metricsPath: '/metrics',
  queueMetric: 'vllm:num_requests_waiting',
  inFlightMetrics: ['vllm:num_requests_running', 'vllm:num_requests_waiting'],
  needsShm: true,
} as const;

/** The container of a single-pod replica. */
export function serverContainer(md: ModelDeployment, port: number, o: ResolvedRenderOptions): ServerContainer {
  const m = md.spec.model;
  const gpus = md.spec.resources?.gpu?.count ?? 0;
  const extra = m.args ?? [];
  switch (m.framework) {
    case 'vllm':
      return { ...VLLM_CONTAINER, image: vllmImage(md, o), command: VLLM_SERVER, args: vllmArgs(md, port, false), env: [] };
    case 'llama.cpp': {
      const ref = m.path;
      const args: string[] = [];
      if (ref === undefined) throw renderError(md, 'spec.model.path', 'llama.cpp needs a GGUF path, hf:// repo or http(s) URL');
      if (ref.startsWith('hf://')) args.push('-hf', ref.slice(5));
      else if (/^https?:\/\//.test(ref)) args.push('--model-url', ref);
      else if (OBJECT_STORE.test(ref)) throw renderError(md, 'spec.model.path', `llama.cpp cannot read ${ref.split(':')[0]}:// URIs; mount the weights and give a path`);
      else args.push('-m', ref);
      args.push('--alias', servedModelName(md), '--host', '0.0.0.0', '--port', String(port), '--metrics');
      const len = maxModelLen(md);
      if (len !== undefined) args.push('-c', String(len));
      const seqs = maxNumSeqs(md);
      if (seqs !== undefined) args.push('-np', String(seqs));
      if (gpus > 0) args.push('-ngl', '999');
      args.push(...extra);
      const image = m.image ?? o.images['llama.cpp'] ?? (gpus > 0 ? DEFAULT_IMAGES['llama.cpp-cuda'] : DEFAULT_IMAGES['llama.cpp']);
      return {
        image,
        args,
        env: [],
        probePath: '/health',
        metricsPath: '/metrics',
        queueMetric: 'llamacpp:requests_deferred',
        inFlightMetrics: ['llamacpp:requests_processing', 'llamacpp:requests_deferred'],
        needsShm: false,
      };
    }
    case 'tgi': {
      const ref = weightsRef(md);
      if (OBJECT_STORE.test(ref)) throw renderError(md, 'spec.model.path', 'TGI cannot read object-store URIs; use an hf:// id or a mounted path');
      const args = ['--model-id', ref, '--hostname', '0.0.0.0', '--port', String(port)];
      const tp = tensorParallelSize(md);
      if (tp > 1) args.push('--num-shard', String(tp));
      const len = maxModelLen(md);
      if (len !== undefined) args.push('--max-total-tokens', String(len));
      const seqs = maxNumSeqs(md);
      if (seqs !== undefined) args.push('--max-concurrent-requests', String(seqs));
      if (m.vllm?.quantization !== undefined) args.push('--quantize', m.vllm.quantization);
      args.push(...extra);
      return {
        image: m.image ?? o.images.tgi ?? DEFAULT_IMAGES.tgi,
        args,
        env: [],
        probePath: '/health',
        metricsPath: '/metrics',
        queueMetric: 'tgi_queue_size',
        inFlightMetrics: ['tgi_queue_size', 'tgi_batch_current_size'],
        needsShm: true,
      };
    }
    case 'ollama': {
      // Ollama has no model flag: start the server, pull the model into it, then wait on the server.
      const model = m.path?.replace(/^ollama:\/\//, '') ?? m.name ?? md.metadata.name;
      const script = `ollama serve & pid=$!; until ollama list >/dev/null 2>&1; do sleep 1; done; ollama pull ${shellQuote(model)} && wait $pid`;
      return {
        image: m.image ?? o.images.ollama ?? DEFAULT_IMAGES.ollama,
        command: ['/bin/sh', '-c'],
        args: [script],
        env: [
          { name: 'OLLAMA_HOST', value: `0.0.0.0:${port}` },
          { name: 'OLLAMA_KEEP_ALIVE', value: '-1' },
        ],
        probePath: '/api/version',
        needsShm: false,
      };
    }
    case 'simulator':
      return {
        image: m.image ?? o.images.simulator ?? DEFAULT_IMAGES.simulator,
        command: ['ployd', 'simulator'],
        args: ['--model', servedModelName(md), '--host', '0.0.0.0', '--port', String(port), ...extra],
        env: [],
        probePath: '/health',
        metricsPath: '/metrics',
        queueMetric: 'vllm:num_requests_waiting',
        inFlightMetrics: VLLM_CONTAINER.inFlightMetrics,
        needsShm: false,
      };
    case 'command': {
      const c = m.command;
      if (!c) throw renderError(md, 'spec.model.command', 'framework "command" needs spec.model.command');
      const image = m.image ?? o.images.command;
      if (image === undefined) throw renderError(md, 'spec.model.image', 'framework "command" needs an image on Kubernetes');
      const sub = (s: string): string => s.replaceAll('{port}', String(port)).replaceAll('{model}', servedModelName(md));
      const [cmd, ...rest] = c.command.map(sub);
      return {
        image,
        command: [cmd ?? ''],
        args: rest,
        env: Object.entries(c.env ?? {}).map(([name, value]) => ({ name, value: sub(value) })),
        probePath: md.spec.health?.readinessProbe?.httpGet?.path ?? '/health',
        ...(c.metricsPath !== undefined ? { metricsPath: c.metricsPath } : {}),
        needsShm: false,
      };
    }
  }
}

/**
 * Leader and worker containers of a multi-node vLLM group (LeaderWorkerSet). The leader starts a
 * Ray head, waits for the group (`LWS_GROUP_SIZE`, set by LWS), then serves; workers join the head
 * at `LWS_LEADER_ADDRESS`. This is the recipe vLLM and LWS document together.
 */
export function multiNodeContainers(md: ModelDeployment, port: number, o: ResolvedRenderOptions): { leader: ServerContainer; worker: ServerContainer } {
  if (md.spec.model.framework !== 'vllm') {
    throw renderError(md, 'spec.model.framework', `only vllm can span nodes (tensor × pipeline parallel exceeds one node); got ${md.spec.model.framework}`);
  }
  const image = vllmImage(md, o);
  const serve = [...VLLM_SERVER, ...vllmArgs(md, port, true)].map(shellQuote).join(' ');
  const leader: ServerContainer = {
    ...VLLM_CONTAINER,
    image,
    command: ['/bin/sh', '-c'],
    args: [`bash ${VLLM_MULTI_NODE_SCRIPT} leader --ray_cluster_size=$(LWS_GROUP_SIZE); exec ${serve}`],
    env: [],
  };
  const worker: ServerContainer = {
    ...VLLM_CONTAINER,
    image,
    command: ['/bin/sh', '-c'],
    args: [`bash ${VLLM_MULTI_NODE_SCRIPT} worker --ray_address=$(LWS_LEADER_ADDRESS)`],
    env: [],
  };
  return { leader, worker };
}
