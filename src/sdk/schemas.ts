import { z } from 'zod';
import { Framework, Name } from '../resources/index.ts';

/**
 * zod schemas of the SDK's non-resource inputs. Resource inputs (ModelDeployment, GatewayRoute,
 * Policy, Project) parse with the schemas of src/resources. The HTTP server validates bodies with
 * these same schemas and generates its OpenAPI document from them, so they are the one contract.
 */

/** Where an action came from, recorded in the audit log. */
export const ViaSchema = z.enum(['api', 'gitops', 'cli', 'controller', 'system']);

/** Extra keys (e.g. a token id) are ignored: the audit log records exactly these fields. */
export const ActorSchema = z.object({
  subject: z.string().min(1).max(256),
  groups: z.array(z.string().min(1).max(256)).max(256),
  via: ViaSchema,
  commit: z.string().max(64).optional(),
});

/** `{ limit?, cursor? }`: limit 1..1000 (default 100); the cursor is opaque, from a previous page. */
export const PageQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(1024).optional(),
});

/** A reference to a namespaced object; namespace defaults to `default`. */
export const ObjectRefSchema = z.strictObject({
  name: Name,
  namespace: Name.optional(),
});

/** Seed 001's keyword call `deploy_model(name=..., model_path=..., ...)`, in camelCase. */
export const DeployModelKeywordsSchema = z.strictObject({
  name: Name,
  namespace: Name.optional(),
  modelPath: z.string().min(1),
  framework: Framework.default('vllm'),
  gpuCount: z.number().int().min(0).default(0),
  gpuType: z.string().optional(),
  replicas: z.number().int().min(0).optional(),
  minReplicas: z.number().int().min(0).default(1),
  maxReplicas: z.number().int().min(1).default(1),
  /** Per-framework configuration keyed by framework (`{ vllm: { tensor_parallel_size: 2 } }`). */
  frameworkConfig: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const ScaleInputSchema = z.strictObject({
  replicas: z.number().int().min(0).max(10_000),
});

export const RegistryStageSchema = z.enum(['none', 'staging', 'production', 'archived']);

/** Version strings as people write them: `v2.1`, `1.0.0`, `2024-06-01`. */
export const VersionStringSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be letters, digits, ".", "_", "+" or "-", starting with a letter or digit');

export const ModelMetadataSchema = z
  .looseObject({
    accuracy: z.number().min(0).max(1).optional(),
    /** e.g. `14GB`, `16Gi`; kept as written. */
    gpu_memory: z.string().max(64).optional(),
    tags: z.array(z.string().min(1).max(128)).max(64).optional(),
    description: z.string().max(4096).optional(),
  });

export const RegisterModelInputSchema = z.strictObject({
  name: Name,
  version: VersionStringSchema,
  /** Where the weights live: s3://, hf://, a local path. Seed 001 calls it model_path. */
  path: z.string().min(1).max(2048),
  framework: Framework.default('vllm'),
  metadata: ModelMetadataSchema.default({}),
  stage: RegistryStageSchema.default('none'),
});

export const TrackDeploymentInputSchema = z.strictObject({
  model: Name,
  version: VersionStringSchema,
  environment: Name,
  /** The ModelDeployment that runs it, when known. */
  deployment: Name.optional(),
  /** Git commit that caused it, when it came from GitOps. */
  commit: z.string().max(64).optional(),
});

export const CreateApiKeyInputSchema = z.strictObject({
  name: z.string().min(1).max(128),
  /** GatewayRoute names the key may call; empty = all. */
  routes: z.array(Name).max(256).default([]),
  tiers: z.array(z.string().min(1).max(64)).max(64).default([]),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  expiresAt: z.coerce.date().optional(),
});

export const CreateTokenInputSchema = z.strictObject({
  name: z.string().min(1).max(128),
  /** The user the token acts as. */
  subject: z.string().min(1).max(256),
  groups: z.array(z.string().min(1).max(256)).max(256).default([]),
  expiresAt: z.coerce.date().optional(),
});

export const MetricSampleInputSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name'),
  value: z.number().refine(Number.isFinite, 'must be finite'),
  labels: z.record(z.string().max(200), z.string().max(1024)).default({}),
  at: z.coerce.date().optional(),
});

export const MetricQuerySchema = z.strictObject({
  name: z.string().min(1).max(200),
  /** Every given label must match exactly. */
  labels: z.record(z.string(), z.string()).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
});

export const AuditQuerySchema = z.strictObject({
  subject: z.string().optional(),
  action: z.string().optional(),
  /** Prefix match on the resource id, e.g. `ModelDeployment/default/`. */
  resource: z.string().optional(),
  via: ViaSchema.optional(),
  since: z.coerce.date().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(1024).optional(),
});

export const SetupAlertsInputSchema = z.strictObject({
  /** Rule-group name. */
  group: z.string().min(1).default('ployd'),
  outOfSyncFor: z.string().default('15m'),
  unhealthyFor: z.string().default('10m'),
  /** Gateway 5xx ratio above which GatewayHighErrorRate fires. */
  errorRateThreshold: z.number().gt(0).lt(1).default(0.05),
});

export const WriteOptionsSchema = z.strictObject({
  resourceVersion: z.number().int().min(1).optional(),
});

export const ModelListQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(1024).optional(),
  namespace: Name.optional(),
});

export const LineageQuerySchema = z.strictObject({
  environment: Name.optional(),
  version: VersionStringSchema.optional(),
});

export const ApiKeyListQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(1024).optional(),
  includeRevoked: z.boolean().optional(),
});

export const PrincipalSchema = z.strictObject({
  subject: z.string().min(1).max(256),
  groups: z.array(z.string().min(1).max(256)).max(256),
});
