import type { ModelDeployment } from '../../resources/index.ts';
import { type MetricsFormat, launcherFor, parseFrameworkMetrics, probePaths } from '../frameworks/index.ts';
import { parseLoad } from './load-metrics.ts';

/**
 * What the supervisor needs from a framework launcher (src/runtime/frameworks' `FrameworkLauncher`
 * satisfies it structurally): argv and environment for one replica, and the paths to probe and
 * scrape.
 */
export interface ReplicaLauncher {
  launch(
    md: ModelDeployment,
    ctx: { readonly port: number; readonly gpus: readonly number[]; readonly replicaIndex: number; readonly host: string },
  ): { readonly command: string; readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> };
  readonly readinessPath: string;
  readonly livenessPath: string;
  /** Prometheus endpoint, or undefined when there is none (the gateway's in-flight counts stand in). */
  readonly metricsPath: string | undefined;
  /** How to read the metrics; vLLM's names when absent. */
  readonly metricsFormat?: MetricsFormat;
}

export type LauncherResolver = (md: ModelDeployment) => ReplicaLauncher;

/**
 * The default: the framework's launcher (src/runtime/frameworks) with the deployment's
 * `spec.health` probe paths and `command.metricsPath` applied.
 */
export const frameworkLauncherFor: LauncherResolver = (md) => {
  const l = launcherFor(md);
  const p = probePaths(md);
  return {
    launch: (m, ctx) => l.launch(m, ctx),
    readinessPath: p.readinessPath,
    livenessPath: p.livenessPath,
    metricsPath: p.metricsPath,
    metricsFormat: p.metricsFormat,
  };
};

/** Requests running + waiting in one replica, or undefined when its metrics do not say. */
export function loadFromMetrics(format: MetricsFormat | undefined, text: string): number | undefined {
  if (format === undefined || format === 'vllm') {
    const l = parseLoad(text);
    return l ? l.running + l.waiting : undefined;
  }
  const m = parseFrameworkMetrics(format, text);
  if (m.running === undefined && m.waiting === undefined) return undefined;
  return (m.running ?? 0) + (m.waiting ?? 0);
}
