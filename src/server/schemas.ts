import { z } from 'zod';
import { GatewayRoute, ModelDeployment, Name, Policy } from '../resources/index.ts';
import {
  AuditQuerySchema,
  CreateApiKeyInputSchema,
  CreateTokenInputSchema,
  DeployModelKeywordsSchema,
  MetricSampleInputSchema,
  RegisterModelInputSchema,
  RegistryStageSchema,
  ScaleInputSchema,
  SetupAlertsInputSchema,
  TrackDeploymentInputSchema,
  VersionStringSchema,
  ViaSchema,
} from '../sdk/index.ts';
import { pageSchema } from './pagination.ts';

/**
 * The wire shapes of the control-plane API. Request schemas are the SDK's own (src/sdk/schemas.ts)
 * or the resource schemas, extended only with what HTTP adds (resourceVersion, query strings).
 * Response schemas describe the JSON of the SDK's result types: dates travel as RFC 3339 strings.
 */

const DateTime = z.iso.datetime({ offset: true });
const ResourceVersion = z.number().int().min(1);

// --- requests ----------------------------------------------------------------------------------

/** `{namespace}/{name}` in paths. */
export const NamespacedParams = z.strictObject({ namespace: Name, name: Name });
export const NameParams = z.strictObject({ name: Name });
export const IdParams = z.strictObject({ id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, 'must be an id as returned by the API') });
export const VersionParams = z.strictObject({ name: Name, version: VersionStringSchema });

const limit = (max: number) => z.coerce.number().int().min(1).max(max).optional();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const PageQuery = z.strictObject({ limit: limit(1000), cursor: z.string().max(1024).optional() });
export const NamespacePageQuery = PageQuery.extend({ namespace: Name.optional() });
export const KeyListQuery = PageQuery.extend({ includeRevoked: bool.optional() });
export const LineageQuery = z.strictObject({ environment: Name.optional(), version: VersionStringSchema.optional() });

/** The audit query of the SDK as query-string parameters. */
export const AuditQueryParams = AuditQuerySchema.extend({ limit: limit(1000), since: z.iso.datetime({ offset: true }).optional() });

/** `label=key=value`, repeatable. */
const LabelFilter = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^[^=]+=.*$/, 'must be key=value')));

export const MetricQueryParams = z.strictObject({
  name: z.string().min(1).max(200),
  label: LabelFilter.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: limit(100_000),
});

export const AlertQueryParams = z.strictObject({
  group: z.string().min(1).max(200).optional(),
  outOfSyncFor: z.string().regex(/^\d+[smhd]$/, 'must be a Prometheus duration such as 15m').optional(),
  unhealthyFor: z.string().regex(/^\d+[smhd]$/, 'must be a Prometheus duration such as 10m').optional(),
  errorRateThreshold: z.coerce.number().gt(0).lt(1).optional(),
});

/**
 * A ModelDeployment manifest, or seed 001's keyword shape (`{ name, modelPath, gpuCount, ... }`).
 * `metadata.resourceVersion` (manifest) or `resourceVersion` (keywords) states the version read.
 */
export const DeployModelBody = z.union([ModelDeployment, DeployModelKeywordsSchema.extend({ resourceVersion: ResourceVersion.optional() })]);
export const RouteBody = GatewayRoute;
export const PolicyBody = Policy;
export const ScaleBody = ScaleInputSchema.extend({ resourceVersion: ResourceVersion.optional() });
export const StageBody = z.strictObject({ stage: RegistryStageSchema, resourceVersion: ResourceVersion.optional() });
export const GlobalRbacBody = z.strictObject({
  lines: z.array(z.string().min(1).max(1024)).max(10_000),
  resourceVersion: ResourceVersion.optional(),
});
export const MetricSamplesBody = z.union([MetricSampleInputSchema, z.array(MetricSampleInputSchema).max(10_000)]);
export {
  CreateApiKeyInputSchema as CreateApiKeyBody,
  CreateTokenInputSchema as CreateTokenBody,
  RegisterModelInputSchema as RegisterModelBody,
  SetupAlertsInputSchema,
  TrackDeploymentInputSchema as TrackDeploymentBody,
};

// --- responses ---------------------------------------------------------------------------------

const StoredMeta = { resourceVersion: ResourceVersion, createdAt: DateTime, updatedAt: DateTime };

function stored<T extends z.ZodType>(resource: T) {
  return z.object({
    namespace: z.string(),
    name: z.string(),
    resource,
    manifest: z.record(z.string(), z.unknown()),
    hash: z.string(),
    ...StoredMeta,
  });
}

export const StoredModelDeploymentSchema = stored(ModelDeployment);
export const StoredRouteSchema = stored(GatewayRoute);
export const StoredPolicySchema = stored(Policy);

export const ReplicaStatusSchema = z.object({
  id: z.string(),
  index: z.number().int(),
  phase: z.enum(['Pending', 'Starting', 'Ready', 'Unready', 'Draining', 'Terminating', 'CrashLoop', 'Failed']),
  url: z.string().optional(),
  pid: z.number().int().optional(),
  restarts: z.number().int(),
  gpus: z.array(z.number().int()).optional(),
  reason: z.string().optional(),
  lastLog: z.array(z.string()).optional(),
});

export const ModelStatusSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  health: z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']),
  message: z.string().optional(),
  desiredReplicas: z.number().int(),
  readyReplicas: z.number().int(),
  replicas: z.array(ReplicaStatusSchema),
  runtime: z.string().optional(),
  observedAt: DateTime,
});

export const ModelVersionSchema = z.object({
  id: z.string(),
  modelId: z.string(),
  name: z.string(),
  version: z.string(),
  path: z.string(),
  framework: z.string(),
  stage: RegistryStageSchema,
  metadata: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  ...StoredMeta,
});

export const RegistryModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  latestVersion: z.string().optional(),
  productionVersion: z.string().optional(),
  versionCount: z.number().int(),
  ...StoredMeta,
});

export const DeploymentRecordSchema = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  environment: z.string(),
  deployment: z.string().optional(),
  commit: z.string().optional(),
  startedAt: DateTime,
  endedAt: DateTime.optional(),
  deployedBy: z.string(),
});

export const RbacProjectSchema = z.object({ project: z.string(), lines: z.array(z.string()), ...StoredMeta });

export const ApiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  routes: z.array(z.string()),
  tiers: z.array(z.string()),
  rpm: z.number().int().optional(),
  tpm: z.number().int().optional(),
  expiresAt: DateTime.optional(),
  revokedAt: DateTime.optional(),
  createdBy: z.string(),
  ...StoredMeta,
});
export const CreatedApiKeySchema = z.object({ key: z.string(), info: ApiKeyInfoSchema });

export const TokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  subject: z.string(),
  groups: z.array(z.string()),
  expiresAt: DateTime.optional(),
  revokedAt: DateTime.optional(),
  lastUsedAt: DateTime.optional(),
  createdBy: z.string(),
  ...StoredMeta,
});
export const CreatedTokenSchema = z.object({ token: z.string(), info: TokenInfoSchema });
export const WhoAmISchema = z.object({ subject: z.string(), groups: z.array(z.string()), tokenId: z.string(), name: z.string() });

export const AlertRuleSchema = z.object({
  alert: z.string(),
  expr: z.string(),
  for: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
});
export const AlertRulesSchema = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(AlertRuleSchema) })),
  yaml: z.string(),
});

export const MetricSampleSchema = z.object({ name: z.string(), value: z.number(), labels: z.record(z.string(), z.string()), at: DateTime });
export const TrackedCountSchema = z.object({ recorded: z.number().int() });

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: DateTime,
  subject: z.string(),
  groups: z.array(z.string()),
  via: ViaSchema,
  action: z.string(),
  resource: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  commit: z.string().optional(),
});

export const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() });

export const Pages = {
  models: pageSchema(StoredModelDeploymentSchema),
  routes: pageSchema(StoredRouteSchema),
  policies: pageSchema(StoredPolicySchema),
  registryModels: pageSchema(RegistryModelSchema),
  versions: pageSchema(ModelVersionSchema),
  keys: pageSchema(ApiKeyInfoSchema),
  tokens: pageSchema(TokenInfoSchema),
  audit: pageSchema(AuditEntrySchema),
  lineage: z.object({ items: z.array(DeploymentRecordSchema) }),
  samples: z.object({ items: z.array(MetricSampleSchema) }),
};

/** A Project manifest (its roles become Casbin lines). */
export { Project as ProjectBody } from '../resources/index.ts';

export const EnforceBody = z.strictObject({
  subject: z.string().min(1).max(256),
  groups: z.array(z.string().min(1).max(256)).max(256).default([]),
  resource: z.string().min(1).max(64),
  action: z.string().min(1).max(64),
  object: z.string().min(1).max(1024),
});
export const EnforceResultSchema = z.object({ allowed: z.boolean() });
