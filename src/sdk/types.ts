/**
 * The public contract of the PloyD SDK: one interface with two bodies, in-process (createPloyd,
 * over store, runtime and gateway) and over HTTP (PloydClient). Only ADD to this file: the HTTP
 * server, the client, the CLI and the GitOps controller are written against it.
 */
import type { z } from 'zod';
import type {
  GatewayRoute,
  ModelDeployment,
  Policy,
  Project,
} from '../resources/index.ts';
import type { HealthStatus, ReplicaStatus } from '../runtime/index.ts';
import type { ApiKeyVerifier } from '../gateway/index.ts';
import type {
  AuditQuerySchema,
  CreateApiKeyInputSchema,
  CreateTokenInputSchema,
  DeployModelKeywordsSchema,
  MetricQuerySchema,
  MetricSampleInputSchema,
  RegisterModelInputSchema,
  RegistryStageSchema,
  SetupAlertsInputSchema,
  TrackDeploymentInputSchema,
  ViaSchema,
} from './schemas.ts';

// --- common ----------------------------------------------------------------------------------

export type Via = z.infer<typeof ViaSchema>;

/** Who does something, passed to every mutating call and written to the audit log. */
export interface Actor {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly via: Via;
  /** The git commit that caused the change, when it came from GitOps; recorded in the audit log. */
  readonly commit?: string;
}

/** The actor of PloyD's own housekeeping (bootstrap, migrations). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ subject: 'system:ployd', groups: Object.freeze(['role:admin']), via: 'system' as const });

export interface PageOptions {
  /** 1..1000, default 100. */
  readonly limit?: number;
  /** Opaque; from a previous page's nextCursor. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Present when more items follow. */
  readonly nextCursor?: string;
}

/** Namespaced reference; namespace defaults to `default`. */
export interface ObjectRef {
  readonly name: string;
  readonly namespace?: string;
}

/** Optimistic concurrency: the resourceVersion the caller last read. A stale one is E_CONFLICT. */
export interface WriteOptions {
  readonly resourceVersion?: number;
}

/** Every stored object carries these. resourceVersion starts at 1 and grows by 1 per change. */
export interface StoredMeta {
  readonly resourceVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A stored resource: the parsed (typed, defaulted) form and the manifest as written. */
export interface StoredResource<R> extends StoredMeta {
  readonly namespace: string;
  readonly name: string;
  /** Parsed form: quantities and durations as numbers. Do NOT feed it back to a parser. */
  readonly resource: R;
  /** The manifest as the caller wrote it: what to edit and send back with updateRoute etc. */
  readonly manifest: Record<string, unknown>;
  /** sha256 of the canonical parsed spec, for drift detection. */
  readonly hash: string;
}

// --- ModelServing ----------------------------------------------------------------------------

/** A ModelDeployment manifest (as written, parsed by the SDK), or seed 001's keyword shape. */
export type DeployModelInput = Record<string, unknown> | z.input<typeof DeployModelKeywordsSchema>;
export type DeployModelKeywords = z.input<typeof DeployModelKeywordsSchema>;

export type StoredModelDeployment = StoredResource<ModelDeployment>;

export interface ModelStatus {
  readonly namespace: string;
  readonly name: string;
  readonly health: HealthStatus;
  /** Why: e.g. `no runtime is attached: desired state recorded only`. */
  readonly message?: string;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly replicas: readonly ReplicaStatus[];
  /** Name of the runtime that reported it, when one is attached. */
  readonly runtime?: string;
  readonly observedAt: Date;
}

export interface ModelListOptions extends PageOptions {
  readonly namespace?: string;
}

export interface ModelServing {
  deployModel(input: DeployModelInput, actor: Actor, options?: WriteOptions): Promise<StoredModelDeployment>;
  scaleModel(ref: ObjectRef, replicas: number, actor: Actor, options?: WriteOptions): Promise<StoredModelDeployment>;
  getModel(ref: ObjectRef): Promise<StoredModelDeployment>;
  listModels(options?: ModelListOptions): Promise<Page<StoredModelDeployment>>;
  deleteModel(ref: ObjectRef, actor: Actor, options?: WriteOptions): Promise<void>;
  getStatus(ref: ObjectRef, options?: StatusOptions): Promise<ModelStatus>;
}

export interface StatusOptions {
  /**
   * The deployment as the caller has just read it from the store (e.g. the controller's live-state
   * read): getStatus then does not read it again. Without it, a deployment absent from the store is
   * E_NOT_FOUND.
   */
  readonly desired?: ModelDeployment;
}

// --- AIGateway -------------------------------------------------------------------------------

export type StoredRoute = StoredResource<GatewayRoute>;

export interface RouteListOptions extends PageOptions {
  readonly namespace?: string;
}

export interface AIGateway {
  createRoute(manifest: Record<string, unknown>, actor: Actor): Promise<StoredRoute>;
  updateRoute(manifest: Record<string, unknown>, actor: Actor, options?: WriteOptions): Promise<StoredRoute>;
  getRoute(ref: ObjectRef): Promise<StoredRoute>;
  listRoutes(options?: RouteListOptions): Promise<Page<StoredRoute>>;
  deleteRoute(ref: ObjectRef, actor: Actor, options?: WriteOptions): Promise<void>;
  /** Publishes the current route-table input to the sink now (also done after every change). */
  republish(): Promise<void>;
}

// --- ModelRegistry ---------------------------------------------------------------------------

export type RegistryStage = z.infer<typeof RegistryStageSchema>;
export type RegisterModelInput = z.input<typeof RegisterModelInputSchema>;
export type ModelMetadata = Record<string, unknown> & {
  readonly accuracy?: number;
  readonly gpu_memory?: string;
  readonly tags?: readonly string[];
  readonly description?: string;
};

export interface ModelVersion extends StoredMeta {
  /** Stable id of this version, e.g. `mv_...`. */
  readonly id: string;
  /** Stable id of the model, e.g. `model_...` (seed 001's model_id). */
  readonly modelId: string;
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly framework: string;
  readonly stage: RegistryStage;
  readonly metadata: ModelMetadata;
  readonly createdBy: string;
}

export interface RegistryModel extends StoredMeta {
  readonly id: string;
  readonly name: string;
  /** Newest registered version. */
  readonly latestVersion?: string;
  /** The version in stage `production`, if any (at most one). */
  readonly productionVersion?: string;
  readonly versionCount: number;
}

export type TrackDeploymentInput = z.input<typeof TrackDeploymentInputSchema>;

/** One span of a version running in an environment; endedAt is set when another version replaced it. */
export interface DeploymentRecord {
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly environment: string;
  readonly deployment?: string;
  readonly commit?: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly deployedBy: string;
}

export interface LineageOptions {
  readonly environment?: string;
  readonly version?: string;
}

export interface ModelRegistry {
  registerModel(input: RegisterModelInput, actor: Actor): Promise<ModelVersion>;
  getModel(name: string): Promise<RegistryModel>;
  getVersion(name: string, version: string): Promise<ModelVersion>;
  listModels(options?: PageOptions): Promise<Page<RegistryModel>>;
  listVersions(name: string, options?: PageOptions): Promise<Page<ModelVersion>>;
  setStage(name: string, version: string, stage: RegistryStage, actor: Actor, options?: WriteOptions): Promise<ModelVersion>;
  trackDeployment(input: TrackDeploymentInput, actor: Actor): Promise<DeploymentRecord>;
  /** Which version ran where and when, newest first. */
  lineage(name: string, options?: LineageOptions): Promise<DeploymentRecord[]>;
}

// --- Security --------------------------------------------------------------------------------

export type StoredPolicy = StoredResource<Policy>;

/** The Casbin lines of one project after applyRbac. */
export interface RbacProject extends StoredMeta {
  readonly project: string;
  /** `p, proj:<project>:<role>, <resource>, <action>, <object>, <allow|deny>` and `g, <group>, proj:<project>:<role>`. */
  readonly lines: readonly string[];
}

/** Argo CD's vocabulary. */
export type RbacResource = 'applications' | 'projects' | 'repositories' | 'keys' | 'registry' | 'models' | 'routes' | 'policies' | 'tokens' | 'audit' | 'metrics' | (string & {});
export type RbacAction = 'get' | 'create' | 'update' | 'delete' | 'sync' | 'rollback' | 'override' | (string & {});

/** Who is asking, for enforce(): a subject and the groups it belongs to. */
export interface Principal {
  readonly subject: string;
  readonly groups: readonly string[];
}

export type CreateApiKeyInput = z.input<typeof CreateApiKeyInputSchema>;

/** An API key as listed: never the key itself. */
export interface ApiKeyInfo extends StoredMeta {
  readonly id: string;
  readonly name: string;
  /** `pk_<id>_`, enough to recognise a key in a list. */
  readonly prefix: string;
  readonly routes: readonly string[];
  readonly tiers: readonly string[];
  readonly rpm?: number;
  readonly tpm?: number;
  readonly expiresAt?: Date;
  readonly revokedAt?: Date;
  readonly createdBy: string;
}

/** The result of createApiKey: the plaintext key, shown this once. */
export interface CreatedApiKey {
  readonly key: string;
  readonly info: ApiKeyInfo;
}

export type CreateTokenInput = z.input<typeof CreateTokenInputSchema>;

export interface TokenInfo extends StoredMeta {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly expiresAt?: Date;
  readonly revokedAt?: Date;
  readonly lastUsedAt?: Date;
  readonly createdBy: string;
}

export interface CreatedToken {
  readonly token: string;
  readonly info: TokenInfo;
}

/** What a verified control-API token stands for. */
export interface TokenPrincipal extends Principal {
  readonly tokenId: string;
  readonly name: string;
}

export interface ApiKeyListOptions extends PageOptions {
  readonly includeRevoked?: boolean;
}

export interface Security {
  createPolicy(manifest: Record<string, unknown>, actor: Actor): Promise<StoredPolicy>;
  getPolicy(ref: ObjectRef): Promise<StoredPolicy>;
  listPolicies(options?: PageOptions & { readonly namespace?: string }): Promise<Page<StoredPolicy>>;
  deletePolicy(ref: ObjectRef, actor: Actor, options?: WriteOptions): Promise<void>;
  /** Stores a Project's roles as Casbin lines (replacing that project's previous lines). */
  applyRbac(project: Project | Record<string, unknown>, actor: Actor, options?: WriteOptions): Promise<RbacProject>;
  getRbac(project: string): Promise<RbacProject>;
  /** Global lines (project `*`), e.g. `g, alice, role:admin`. */
  setGlobalRbac(lines: readonly string[], actor: Actor, options?: WriteOptions): Promise<RbacProject>;
  /** True when allowed: some allow matches and no deny does. */
  enforce(principal: Principal, resource: RbacResource, action: RbacAction, object: string): Promise<boolean>;
  /** Throws E_FORBIDDEN naming the missing permission. */
  authorize(principal: Principal, resource: RbacResource, action: RbacAction, object: string): Promise<void>;
  createApiKey(input: CreateApiKeyInput, actor: Actor): Promise<CreatedApiKey>;
  getApiKey(id: string): Promise<ApiKeyInfo>;
  listApiKeys(options?: ApiKeyListOptions): Promise<Page<ApiKeyInfo>>;
  revokeApiKey(id: string, actor: Actor): Promise<ApiKeyInfo>;
  /** Verifies gateway API keys (hash compare in constant time, small TTL cache). */
  readonly apiKeyVerifier: ApiKeyVerifier;
  createToken(input: CreateTokenInput, actor: Actor): Promise<CreatedToken>;
  listTokens(options?: ApiKeyListOptions): Promise<Page<TokenInfo>>;
  revokeToken(id: string, actor: Actor): Promise<TokenInfo>;
  /** Undefined when unknown, revoked or expired. */
  verifyToken(token: string): Promise<TokenPrincipal | undefined>;
  /** Creates the first admin token; returns its plaintext only on first start, else undefined. */
  ensureAdminToken(): Promise<string | undefined>;
}

// --- Monitoring ------------------------------------------------------------------------------

export type SetupAlertsInput = z.input<typeof SetupAlertsInputSchema>;

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AlertRules {
  readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
  /** The same, as a Prometheus rules file. */
  readonly yaml: string;
}

export type MetricSampleInput = z.input<typeof MetricSampleInputSchema>;

export interface MetricSample {
  readonly name: string;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly at: Date;
}

export type MetricQuery = z.input<typeof MetricQuerySchema>;

export interface Monitoring {
  setupAlerts(input?: SetupAlertsInput): Promise<AlertRules>;
  /**
   * Records measurements. Telemetry, not a configuration change: it writes no audit row (the
   * gateway reports every few seconds); the actor is kept as each sample's `source`.
   */
  trackMetrics(samples: MetricSampleInput | readonly MetricSampleInput[], actor: Actor): Promise<number>;
  /** Samples of one metric, oldest first. */
  getMetrics(query: MetricQuery): Promise<MetricSample[]>;
}

// --- Audit -----------------------------------------------------------------------------------

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly via: Via;
  /** e.g. `model.deploy`, `route.update`, `apikey.revoke`. */
  readonly action: string;
  /** e.g. `ModelDeployment/default/llama`, `ApiKey/abcd1234`. */
  readonly resource: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly commit?: string;
}

export type AuditQuery = z.input<typeof AuditQuerySchema>;

export interface AuditLog {
  /** Newest first. */
  list(query?: AuditQuery): Promise<Page<AuditEntry>>;
}

// --- aggregate -------------------------------------------------------------------------------

export interface Ployd {
  readonly modelServing: ModelServing;
  readonly aiGateway: AIGateway;
  readonly modelRegistry: ModelRegistry;
  readonly security: Security;
  readonly monitoring: Monitoring;
  readonly audit: AuditLog;
  /** Detaches from the runtime's change notifications. Does not close store or runtime (their owner does). */
  close(): Promise<void>;
}
