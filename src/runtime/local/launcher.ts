import type { ModelDeployment } from '../../resources/index.ts';

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
  /** Prometheus endpoint with `vllm:num_requests_running/waiting`, or undefined when there is none. */
  readonly metricsPath: string | undefined;
}

export type LauncherResolver = (md: ModelDeployment) => ReplicaLauncher;
