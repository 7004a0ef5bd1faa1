import { servedModelName, type ModelDeployment } from '../../resources/index.ts';
import { PloydError } from '../../errors/index.ts';
import { baseEnv } from './common.ts';
import type { FrameworkLauncher, LaunchContext } from './types.ts';

/** Replaces `{port}`, `{host}` and `{model}`; other braces are left as written. */
export function substitute(template: string, values: { port: number; host: string; model: string }): string {
  return template.replace(/\{(port|host|model)\}/g, (_m, key: 'port' | 'host' | 'model') => String(values[key]));
}

/**
 * Any other server: `spec.model.command.command` is argv (first element the program), with
 * `{port}`, `{host}`, `{model}` substituted in arguments and environment values. Its metrics are
 * read as vLLM's when `command.metricsPath` is set (most OpenAI-compatible servers copy vLLM's names).
 */
export const commandLauncher: FrameworkLauncher = {
  name: 'command',
  launch(md: ModelDeployment, ctx: LaunchContext) {
    const cfg = md.spec.model.command;
    if (cfg === undefined) {
      throw new PloydError('E_MISSING_FIELD', `ModelDeployment ${md.metadata.name}: spec.model.command is required for framework command`, {
        field: 'spec.model.command',
        name: md.metadata.name,
      });
    }
    const values = { port: ctx.port, host: ctx.host, model: servedModelName(md) };
    const [program, ...rest] = cfg.command.map((a) => substitute(a, values));
    const env = baseEnv(md, ctx);
    for (const [k, v] of Object.entries(cfg.env ?? {})) env[k] = substitute(v, values);
    return { command: program ?? '', args: rest, env };
  },
  readinessPath: '/health',
  livenessPath: '/health',
  metricsPath: undefined,
  metricsFormat: 'none',
};
