// The GitOps controller: pure planning logic here; the reconcile loop, git source and process
// build on it.
export * from './diff.ts';
export * from './health.ts';
export * from './plan.ts';
export * from './backoff.ts';
