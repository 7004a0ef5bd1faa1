import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The Kysely view of the database. Column types describe what both backends return after the
 * repositories' normalisation: bigint columns come back as string from `pg` and as number from
 * PGlite, so they are typed `number | string` and converted with Number() at the repository edge.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;
type Version = ColumnType<number, number | undefined, number>;
type Serial = ColumnType<number | string, never, never>;

/** Desired state: every PloyD resource by kind/namespace/name (model deployments, routes, canaries, policies...). */
export interface ResourcesTable {
  kind: string;
  namespace: string;
  name: string;
  api_version: string;
  /** Parsed, defaulted resource. */
  spec: Json;
  /** As written by the caller. */
  manifest: Json;
  labels: Json<Record<string, string>>;
  /** Application that owns it (GitOps), when any. */
  application: string | null;
  resource_version: Version;
  hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Live state as the runtime/target reported it, for drift detection. */
export interface LiveResourcesTable {
  kind: string;
  namespace: string;
  name: string;
  spec: Json;
  status: Json | null;
  resource_version: Version;
  hash: string;
  updated_at: Timestamp;
}

export interface DeploymentStatusTable {
  namespace: string;
  name: string;
  health: string;
  message: string | null;
  desired_replicas: number;
  ready_replicas: number;
  replicas: Json<unknown[]>;
  runtime: string | null;
  observed_at: Timestamp;
}

export interface CanaryStateTable {
  namespace: string;
  name: string;
  phase: string;
  step: number;
  weight: number;
  state: Json<Record<string, unknown>>;
  resource_version: Version;
  updated_at: Timestamp;
}

export interface ApplicationsTable {
  name: string;
  project: string;
  environment: string | null;
  spec: Json;
  manifest: Json;
  sync_status: string;
  health_status: string;
  revision: string | null;
  /** The running or last operation (sync/rollback) with its phase. */
  operation: Json | null;
  resource_version: Version;
  hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SyncHistoryTable {
  id: Serial;
  application: string;
  revision: string | null;
  phase: string;
  message: string | null;
  initiated_by: string;
  resources: Json<unknown[]>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface RegistryModelsTable {
  id: string;
  name: string;
  resource_version: Version;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RegistryVersionsTable {
  id: string;
  model_id: string;
  version: string;
  path: string;
  framework: string;
  stage: string;
  metadata: Json<Record<string, unknown>>;
  resource_version: Version;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeploymentTrackingTable {
  id: string;
  model: string;
  version: string;
  environment: string;
  deployment: string | null;
  commit: string | null;
  deployed_by: string;
  started_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  routes: Json<string[]>;
  tiers: Json<string[]>;
  rpm: number | null;
  tpm: number | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_by: string;
  resource_version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  subject: string;
  display_name: string | null;
  groups: Json<string[]>;
  disabled: boolean;
  resource_version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  subject: string;
  groups: Json<string[]>;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  created_by: string;
  resource_version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RbacPoliciesTable {
  /** `*` for global lines. */
  project: string;
  lines: Json<string[]>;
  resource_version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Serial;
  at: Timestamp;
  subject: string;
  groups: Json<string[]>;
  via: string;
  action: string;
  resource: string;
  before: Json | null;
  after: Json | null;
  commit: string | null;
}

export interface EventsTable {
  id: Serial;
  at: Timestamp;
  type: string;
  reason: string;
  message: string;
  kind: string | null;
  namespace: string | null;
  name: string | null;
  source: string;
}

export interface MetricSamplesTable {
  id: Serial;
  name: string;
  labels: Json<Record<string, string>>;
  value: number;
  at: Timestamp;
  source: string;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface Database {
  resources: ResourcesTable;
  live_resources: LiveResourcesTable;
  deployment_status: DeploymentStatusTable;
  canary_state: CanaryStateTable;
  applications: ApplicationsTable;
  sync_history: SyncHistoryTable;
  registry_models: RegistryModelsTable;
  registry_versions: RegistryVersionsTable;
  deployment_tracking: DeploymentTrackingTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  rbac_policies: RbacPoliciesTable;
  audit_log: AuditLogTable;
  events: EventsTable;
  metric_samples: MetricSamplesTable;
  settings: SettingsTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type { Generated };
