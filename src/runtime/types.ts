import type { ModelDeployment } from '../resources/index.ts';

/** Health in Argo CD's vocabulary, so SREs need learn nothing new. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export type ReplicaPhase = 'Pending' | 'Starting' | 'Ready' | 'Unready' | 'Draining' | 'Terminating' | 'CrashLoop' | 'Failed';

/** Deployments are keyed by namespace (the environment) and name. */
export interface DeploymentRef {
  readonly namespace: string;
  readonly name: string;
}

export interface ReplicaStatus {
  readonly id: string;
  readonly index: number;
  readonly phase: ReplicaPhase;
  readonly url?: string;
  readonly pid?: number;
  readonly restarts: number;
  readonly gpus?: readonly number[];
  /** Why it is not Ready (e.g. `waiting for 2 GPUs, 1 free`). */
  readonly reason?: string;
  /** Last log lines, kept for crash loops. */
  readonly lastLog?: readonly string[];
}

export interface DeploymentStatus extends DeploymentRef {
  readonly health: HealthStatus;
  readonly message?: string;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly replicas: readonly ReplicaStatus[];
  /** Spec the runtime is converging to (hash), for drift detection. */
  readonly specHash?: string;
}

/** A ready replica the gateway may send traffic to. */
export interface Endpoint extends DeploymentRef {
  readonly servedModelName: string;
  readonly replicaId: string;
  readonly url: string;
}

/**
 * Where model replicas run. Implementations: local process supervisor, Kubernetes, in-memory (tests).
 * `apply` is declarative and idempotent: the runtime converges to the spec in the background.
 */
/**
 * Namespaces, on targets that have them (Kubernetes): where an environment's deployments go. The
 * controller's `CreateNamespace=true` creates a missing one; without it a missing one fails the sync.
 */
export interface RuntimeNamespaces {
  exists(name: string): Promise<boolean>;
  /** Creates the namespace (idempotent), labelled as managed by PloyD. */
  create(name: string): Promise<void>;
}

export interface Runtime {
  readonly name: string;
  /** Absent where an environment is only a name (local processes, memory): nothing to create. */
  readonly namespaces?: RuntimeNamespaces;
  apply(deployment: ModelDeployment & { metadata: { namespace: string } }): Promise<void>;
  scale(ref: DeploymentRef, replicas: number): Promise<void>;
  delete(ref: DeploymentRef): Promise<void>;
  status(ref: DeploymentRef): Promise<DeploymentStatus | undefined>;
  list(): Promise<DeploymentStatus[]>;
  /** Ready endpoints now; cheap, called on every change notification. */
  endpoints(): readonly Endpoint[];
  /** Called whenever a status or the endpoint set changes. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}
