import { servedModelName, type ModelDeployment } from '../../resources/index.ts';
import { baseEnv, flag, maxModelLen, maxNumSeqs, requirePath, stripScheme } from './common.ts';
import type { FrameworkLauncher, LaunchContext } from './types.ts';

/**
 * llama.cpp's `llama-server`: a GGUF file from `spec.model.path` (`-m`), or a Hugging Face repo
 * with `hf://owner/repo` (`-hf`). All layers go to the GPU (`-ngl 999`) when GPUs are assigned,
 * none otherwise. `--metrics` turns on the Prometheus endpoint the gateway reads load from.
 */
export const llamaCppLauncher: FrameworkLauncher = {
  name: 'llama.cpp',
  launch(md: ModelDeployment, ctx: LaunchContext) {
    const path = requirePath(md, 'llama.cpp');
    const args = path.startsWith('hf://') ? ['-hf', stripScheme(path)] : ['-m', stripScheme(path)];
    args.push('--host', ctx.host, '--port', String(ctx.port), '--alias', servedModelName(md));
    flag(args, '-c', maxModelLen(md));
    flag(args, '--parallel', maxNumSeqs(md));
    args.push('-ngl', ctx.gpus.length > 0 ? '999' : '0', '--metrics');
    args.push(...(md.spec.model.args ?? []));
    return { command: 'llama-server', args, env: baseEnv(md, ctx) };
  },
  readinessPath: '/health',
  livenessPath: '/health',
  metricsPath: '/metrics',
  metricsFormat: 'llamacpp',
};
