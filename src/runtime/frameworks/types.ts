import type { Framework, ModelDeployment } from '../../resources/index.ts';

/** How a replica's Prometheus text is read; `none` means the gateway's in-flight counts stand in. */
export type MetricsFormat = 'vllm' | 'llamacpp' | 'tgi' | 'none';

/** Where and how one replica runs, decided by the runtime before launching it. */
export interface LaunchContext {
  readonly port: number;
  /** GPU indices assigned to this replica (empty for CPU-only replicas). */
  readonly gpus: readonly number[];
  readonly replicaIndex: number;
  /** Interface to listen on, usually 127.0.0.1 for the local runtime. */
  readonly host: string;
}

/**
 * A process to start. `env` holds only the variables the framework needs; the runtime merges it
 * over its own environment (so PATH, HOME… are inherited) — values here win.
 */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * How to start, probe and scrape one model-server framework. Pure: `launch` computes argv and
 * environment and starts nothing, so runtimes (local processes, Kubernetes pods) share it.
 */
export interface FrameworkLauncher {
  readonly name: Framework;
  launch(md: ModelDeployment, ctx: LaunchContext): LaunchSpec;
  /** HTTP path that answers 2xx once the server can take traffic. */
  readonly readinessPath: string;
  /** HTTP path that answers 2xx while the process is alive and not wedged. */
  readonly livenessPath: string;
  /** Prometheus endpoint, or undefined when the framework exposes none. */
  readonly metricsPath: string | undefined;
  readonly metricsFormat: MetricsFormat;
}

/** Probe and scrape paths for one ModelDeployment after its `spec.health` overrides. */
export interface ProbePaths {
  readonly readinessPath: string;
  readonly livenessPath: string;
  readonly metricsPath: string | undefined;
  readonly metricsFormat: MetricsFormat;
}

/** Load numbers read from a replica's metrics; a field is absent when the server does not report it. */
export interface FrameworkMetrics {
  /** Requests being generated now. */
  running?: number;
  /** Requests queued inside the server. */
  waiting?: number;
  /** KV-cache usage, 0..1. */
  kvCacheUsage?: number;
}
