// The GitOps controller: pure planning logic (diff, plan, health, backoff), the git source, and
// the reconcile loop that keeps live state (through the SDK) equal to Git.
export * from './diff.ts';
export * from './health.ts';
export * from './plan.ts';
export * from './backoff.ts';
export * from './project-check.ts';
export type { AppState, OperationState, ResourceStatus } from './app-state.ts';
export { APP_LABEL, renderApplication, readCatalog, environmentOf, comparable, type DesiredResource, type DesiredState, type RepoCatalog } from './desired.ts';
export { runHook, type HookResult, type HookEnvironment } from './hooks.ts';
export { applyResource, deleteResource, readLive, MANAGED_KINDS, CONFIG_KINDS, DEFERRED_KINDS } from './live.ts';
export { ControllerMetrics } from './metrics.ts';
export { Controller, type ControllerOptions, type ApplicationView, type HistoryEntry, type SyncRequest } from './controller.ts';
export * from './git/index.ts';
export { LeaderElector, LEADER_LOCK_KEY, leaderLockKey } from './leader.ts';
