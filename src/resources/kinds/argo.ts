import { z } from 'zod';
import { resourceSchema } from '../metadata.ts';
import { IgnoreDifference } from './application.ts';
import { GroupKind, PolicyLine } from './project.ts';

export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

/**
 * `argoproj.io/v1alpha1 Application` with Argo CD's meaning, plus the two extensions seed 000
 * writes on it: `preSync` hooks and `dependencies` on other applications' health.
 */
export const ArgoApplicationSpec = z.object({
  project: z.string().default('default'),
  source: z.object({
    repoURL: z.string(),
    targetRevision: z.string().default('HEAD'),
    path: z.string(),
    kustomize: z.record(z.string(), z.unknown()).optional(),
  }),
  destination: z.object({ server: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() }),
  syncPolicy: z
    .object({
      automated: z.object({ prune: z.boolean().optional(), selfHeal: z.boolean().optional(), allowEmpty: z.boolean().optional() }).optional(),
      syncOptions: z.array(z.string()).optional(),
      retry: z
        .object({
          limit: z.number().int().optional(),
          backoff: z.object({ duration: z.string().optional(), factor: z.number().optional(), maxDuration: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  // As Argo CD's CRD: no default for jsonPointers (the conversion leaves it to the ployd schema).
  ignoreDifferences: z.array(IgnoreDifference.extend({ jsonPointers: z.array(z.string()).optional() })).optional(),
  revisionHistoryLimit: z.number().int().optional(),
  preSync: z
    .array(z.object({ name: z.string(), hook: z.enum(['PreSync', 'PostSync', 'SyncFail']).default('PreSync'), hookDeletePolicy: z.string().optional(), manifest: z.string() }))
    .optional(),
  dependencies: z
    .array(z.object({ name: z.string(), conditions: z.array(z.object({ status: z.enum(['Healthy', 'Synced']) })).optional() }))
    .optional(),
});

export const ArgoApplication = resourceSchema(ARGO_API_VERSION, 'Application', ArgoApplicationSpec);
export type ArgoApplication = z.infer<typeof ArgoApplication>;

export const AppProjectSpec = z.object({
  description: z.string().optional(),
  sourceRepos: z.array(z.string()).optional(),
  destinations: z.array(z.object({ namespace: z.string().optional(), server: z.string().optional(), name: z.string().optional() })).optional(),
  clusterResourceWhitelist: z.array(GroupKind).optional(),
  clusterResourceBlacklist: z.array(GroupKind).optional(),
  namespaceResourceWhitelist: z.array(GroupKind).optional(),
  namespaceResourceBlacklist: z.array(GroupKind).optional(),
  roles: z
    .array(z.object({ name: z.string(), description: z.string().optional(), policies: z.array(PolicyLine).optional(), groups: z.array(z.string()).optional() }))
    .optional(),
});

export const AppProject = resourceSchema(ARGO_API_VERSION, 'AppProject', AppProjectSpec);
export type AppProject = z.infer<typeof AppProject>;
