// The local runtime: a process supervisor for model replicas on this machine.
export {
  createLocalRuntime,
  DEFAULT_TIMINGS,
  ENV_REPLICA,
  ENV_REPLICA_UID,
  ENV_STATE_DIR,
  type LocalRuntimeOptions,
  type LocalRuntimeTimings,
} from './local-runtime.ts';
export { frameworkLauncherFor, loadFromMetrics, type LauncherResolver, type ReplicaLauncher } from './launcher.ts';
export { decideReplicas, targetInFlight, DEFAULT_TARGET_IN_FLIGHT, DEFAULT_STABILIZATION_WINDOW_MS, type AutoscaleDecision, type AutoscaleInput, type Recommendation } from './autoscale.ts';
export { rollupHealth, type ReplicaHealthInput } from './health.ts';
export { restartDelay, failuresAfterExit, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS } from './backoff.ts';
export { parseLoad } from './load-metrics.ts';
export { logDir, logPath, tailLines, rotateIfNeeded } from './replica-log.ts';
export { readState, statePath, type StateFile, type ReplicaRecord } from './state-file.ts';
export { findReplicaLogs, readLogLines, followLogs, type ReplicaLogFile } from './log-reader.ts';
