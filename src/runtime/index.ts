export type { DeploymentRef, DeploymentStatus, Endpoint, HealthStatus, ReplicaPhase, ReplicaStatus, Runtime } from './types.ts';
export * from './kubernetes/index.ts';
