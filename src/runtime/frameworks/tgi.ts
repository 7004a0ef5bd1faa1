import { tensorParallelSize, type ModelDeployment } from '../../resources/index.ts';
import { baseEnv, flag, maxModelLen, maxNumSeqs, modelSource } from './common.ts';
import type { FrameworkLauncher, LaunchContext } from './types.ts';

/**
 * Hugging Face Text Generation Inference. TGI shards over GPUs itself, so `--num-shard` is the
 * tensor-parallel size; TGI has no served-name flag and answers to any `model` in OpenAI requests.
 */
export const tgiLauncher: FrameworkLauncher = {
  name: 'tgi',
  launch(md: ModelDeployment, ctx: LaunchContext) {
    const args = ['--model-id', modelSource(md), '--hostname', ctx.host, '--port', String(ctx.port)];
    args.push('--num-shard', String(tensorParallelSize(md)));
    flag(args, '--max-total-tokens', maxModelLen(md));
    flag(args, '--max-concurrent-requests', maxNumSeqs(md));
    flag(args, '--dtype', md.spec.model.vllm?.dtype);
    flag(args, '--quantize', md.spec.model.vllm?.quantization);
    args.push(...(md.spec.model.args ?? []));
    return { command: 'text-generation-launcher', args, env: baseEnv(md, ctx) };
  },
  readinessPath: '/health',
  livenessPath: '/health',
  metricsPath: '/metrics',
  metricsFormat: 'tgi',
};
