import { pipelineParallelSize, servedModelName, tensorParallelSize, type ModelDeployment } from '../../resources/index.ts';
import { baseEnv, flag, maxModelLen, maxNumSeqs, modelSource } from './common.ts';
import type { FrameworkLauncher, LaunchContext } from './types.ts';

/**
 * Arguments after `vllm serve` (the Kubernetes target puts them in the container's args).
 * Fields come from `spec.model.vllm`, falling back to `parallelism` and `serving`; unset fields are
 * left to vLLM's own defaults, except the served name and tensor-parallel size, which are always
 * explicit so the gateway's model name and the GPU count never depend on vLLM's defaults.
 */
export function vllmServeArgs(md: ModelDeployment, listen: { port: number; host: string }): string[] {
  const v = md.spec.model.vllm;
  const args = [modelSource(md), '--host', listen.host, '--port', String(listen.port)];
  args.push('--served-model-name', servedModelName(md));
  args.push('--tensor-parallel-size', String(tensorParallelSize(md)));
  const pipeline = pipelineParallelSize(md);
  if (pipeline > 1) args.push('--pipeline-parallel-size', String(pipeline));
  flag(args, '--gpu-memory-utilization', v?.gpu_memory_utilization);
  flag(args, '--max-model-len', maxModelLen(md));
  flag(args, '--max-num-seqs', maxNumSeqs(md));
  flag(args, '--dtype', v?.dtype);
  flag(args, '--quantization', v?.quantization);
  args.push(...(v?.extra_args ?? []), ...(md.spec.model.args ?? []));
  return args;
}

/** `vllm serve MODEL …` with `CUDA_VISIBLE_DEVICES` from the assigned GPUs. */
export const vllmLauncher: FrameworkLauncher = {
  name: 'vllm',
  launch(md: ModelDeployment, ctx: LaunchContext) {
    return { command: 'vllm', args: ['serve', ...vllmServeArgs(md, ctx)], env: baseEnv(md, ctx) };
  },
  readinessPath: '/health',
  livenessPath: '/health',
  metricsPath: '/metrics',
  metricsFormat: 'vllm',
};
