import { z } from 'zod';
import { Duration } from '../quantity.ts';
import { PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

export const SyncOption = z.enum([
  'CreateNamespace=true',
  'CreateNamespace=false',
  'PruneLast=true',
  'PruneLast=false',
  'ApplyOutOfSyncOnly=true',
  'ApplyOutOfSyncOnly=false',
  'Validate=true',
  'Validate=false',
  'ServerSideApply=true',
  'ServerSideApply=false',
  'Prune=false',
]);

/** Built-in and command hooks run around a sync (seed 000's preSync validate-resources). */
export const Hook = z.object({
  name: z.string().min(1),
  phase: z.enum(['PreSync', 'PostSync', 'SyncFail']),
  timeout: Duration.default(300_000),
  deletePolicy: z.enum(['HookSucceeded', 'HookFailed', 'BeforeHookCreation']).optional(),
  /** Exactly one of the checks below. */
  gpuCapacity: z.object({ required: z.number().int().min(0), gpuType: z.string().optional() }).optional(),
  smokeTest: z
    .object({
      model: z.string().min(1),
      requests: z.number().int().min(1).default(20),
      minSuccessRate: z.number().min(0).max(1).default(0.99),
      maxLatencyMs: z.number().positive().default(2000),
      prompt: z.string().default('Test request {i}'),
      maxTokens: z.number().int().min(1).default(10),
    })
    .optional(),
  command: z.array(z.string()).min(1).optional(),
  /** A Kubernetes Job manifest (Argo CD hook shape); runs only on the Kubernetes target. */
  job: z.record(z.string(), z.unknown()).optional(),
});
export type Hook = z.infer<typeof Hook>;

export const SyncPolicy = z.object({
  automated: z
    .object({ prune: z.boolean().default(false), selfHeal: z.boolean().default(false), allowEmpty: z.boolean().default(false) })
    .optional(),
  syncOptions: z.array(SyncOption).default([]),
  retry: z
    .object({
      limit: z.number().int().min(-1).default(5),
      backoff: z
        .object({ duration: Duration.default(5000), factor: z.number().min(1).default(2), maxDuration: Duration.default(180_000) })
        .optional(),
    })
    .optional(),
});
export type SyncPolicy = z.infer<typeof SyncPolicy>;

/**
 * One ignoreDifferences rule, Argo CD's shape (a ployd Application and an Argo CD one read it
 * alike). `jqPathExpressions` and `managedFieldsManagers` are parsed so the controller can refuse
 * them by name rather than silently compare more than the user asked.
 */
export const IgnoreDifference = z.object({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  jsonPointers: z.array(z.string()).default([]),
  jqPathExpressions: z.array(z.string()).optional(),
  managedFieldsManagers: z.array(z.string()).optional(),
});

export const ApplicationSpec = z.object({
  project: z.string().default('default'),
  source: z.object({
    repoURL: z.string().optional(),
    targetRevision: z.string().default('HEAD'),
    path: z.string().min(1),
  }),
  /** The environment this app deploys; defaults to the destination namespace (seed 000). */
  environment: z.string().optional(),
  destination: z
    .object({ server: z.string().optional(), name: z.string().optional(), namespace: z.string().optional(), cluster: z.string().optional() })
    .default({}),
  syncPolicy: SyncPolicy.default({ syncOptions: [] }),
  /** Sync only after these applications are Healthy (seed 000's phase 2 waits for phase 1). */
  dependsOn: z
    .array(z.object({ name: z.string().min(1), conditions: z.array(z.object({ status: z.enum(['Healthy', 'Synced']) })).default([{ status: 'Healthy' }]) }))
    .default([]),
  hooks: z.array(Hook).default([]),
  /**
   * Argo CD's ignoreDifferences. `group` and `kind` are globs; an absent group means `ployd.ai` on
   * a ployd Application and the core group on an Argo CD one, as Argo CD reads it.
   */
  ignoreDifferences: z.array(IgnoreDifference).default([]),
  revisionHistoryLimit: z.number().int().min(1).max(100).default(10),
});

/** `ployd.ai/v1 Application`: a path of a config repo, rendered for one environment and kept in sync. */
export const Application = resourceSchema(PLOYD_API_VERSION, 'Application', ApplicationSpec);
export type Application = z.infer<typeof Application>;

/** Whether a sync option is on (`Name=true`). */
export function hasSyncOption(app: Application, name: string): boolean {
  return app.spec.syncPolicy.syncOptions.includes(`${name}=true` as never);
}
