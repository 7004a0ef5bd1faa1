import type { ModelDeployment } from '../../resources/index.ts';
import { baseEnv } from './common.ts';
import type { FrameworkLauncher, LaunchContext } from './types.ts';

/**
 * `ollama serve` listening where `OLLAMA_HOST` says. Ollama loads models on first request and
 * pulls nothing by itself: the model named by the deployment must already be pulled. It has no
 * Prometheus endpoint, so the gateway balances on its own in-flight counts.
 */
export const ollamaLauncher: FrameworkLauncher = {
  name: 'ollama',
  launch(md: ModelDeployment, ctx: LaunchContext) {
    const env = { ...baseEnv(md, ctx), OLLAMA_HOST: `${ctx.host}:${ctx.port}` };
    return { command: 'ollama', args: ['serve', ...(md.spec.model.args ?? [])], env };
  },
  readinessPath: '/api/tags',
  livenessPath: '/',
  metricsPath: undefined,
  metricsFormat: 'none',
};
