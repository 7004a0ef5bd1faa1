// How to start, probe and scrape model-server frameworks. Pure: nothing here starts a process.
import type { Framework, ModelDeployment } from '../../resources/index.ts';
import { commandLauncher } from './command.ts';
import { llamaCppLauncher } from './llama-cpp.ts';
import { ollamaLauncher } from './ollama.ts';
import { simulatorLauncher } from './simulator.ts';
import { tgiLauncher } from './tgi.ts';
import type { FrameworkLauncher, ProbePaths } from './types.ts';
import { vllmLauncher } from './vllm.ts';

export type { FrameworkLauncher, FrameworkMetrics, LaunchContext, LaunchSpec, MetricsFormat, ProbePaths } from './types.ts';
export { vllmLauncher, vllmServeArgs } from './vllm.ts';
export { llamaCppLauncher } from './llama-cpp.ts';
export { tgiLauncher } from './tgi.ts';
export { ollamaLauncher } from './ollama.ts';
export { simulatorLauncher, simulatorArgs, PLOYD_BIN } from './simulator.ts';
export { commandLauncher, substitute } from './command.ts';
export { parseFrameworkMetrics, parsePrometheusSamples } from './metrics.ts';

export const LAUNCHERS: Readonly<Record<Framework, FrameworkLauncher>> = {
  vllm: vllmLauncher,
  'llama.cpp': llamaCppLauncher,
  tgi: tgiLauncher,
  ollama: ollamaLauncher,
  simulator: simulatorLauncher,
  command: commandLauncher,
};

/** The launcher for a deployment's `spec.model.framework`. */
export function launcherFor(md: ModelDeployment): FrameworkLauncher {
  return LAUNCHERS[md.spec.model.framework];
}

/**
 * Probe and scrape paths for a deployment: the framework's defaults, overridden by
 * `spec.health.readinessProbe/livenessProbe.httpGet.path` and, for `command`, by
 * `spec.model.command.metricsPath` (read as vLLM-format metrics).
 */
export function probePaths(md: ModelDeployment): ProbePaths {
  const l = launcherFor(md);
  const cmdMetrics = md.spec.model.framework === 'command' ? md.spec.model.command?.metricsPath : undefined;
  return {
    readinessPath: md.spec.health?.readinessProbe?.httpGet?.path ?? l.readinessPath,
    livenessPath: md.spec.health?.livenessProbe?.httpGet?.path ?? l.livenessPath,
    metricsPath: cmdMetrics ?? l.metricsPath,
    metricsFormat: cmdMetrics !== undefined ? 'vllm' : l.metricsFormat,
  };
}
