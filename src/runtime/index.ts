export type { DeploymentRef, DeploymentStatus, Endpoint, HealthStatus, ReplicaPhase, ReplicaStatus, Runtime, RuntimeNamespaces } from './types.ts';
export * from './kubernetes/index.ts';
export * from './local/index.ts';
export * from './gpu/index.ts';
