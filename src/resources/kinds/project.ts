import { z } from 'zod';
import { optionalSpec, PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

/** A Casbin policy line as Argo CD writes it: `p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow`. */
export const PolicyLine = z
  .string()
  .regex(/^\s*[pg]\s*,(\s*[^,]+\s*,)+\s*[^,]+\s*$/, 'must be a Casbin line such as "p, role, resource, action, object, allow"');

export const GroupKind = z.object({ group: z.string(), kind: z.string() });

export const ProjectRole = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  policies: z.array(PolicyLine).default([]),
  groups: z.array(z.string()).default([]),
});

export const ProjectSpec = z.object({
  description: z.string().optional(),
  sourceRepos: z.array(z.string()).default(['*']),
  destinations: z
    .array(z.object({ namespace: z.string().optional(), server: z.string().optional(), name: z.string().optional(), environment: z.string().optional() }))
    .default([{ namespace: '*', server: '*' }]),
  clusterResourceWhitelist: z.array(GroupKind).optional(),
  clusterResourceBlacklist: z.array(GroupKind).optional(),
  namespaceResourceWhitelist: z.array(GroupKind).optional(),
  namespaceResourceBlacklist: z.array(GroupKind).optional(),
  roles: z.array(ProjectRole).default([]),
});

/** `ployd.ai/v1 Project`: who may deploy what from where (Argo CD AppProject semantics). */
export const Project = resourceSchema(PLOYD_API_VERSION, 'Project', optionalSpec(ProjectSpec));
export type Project = z.infer<typeof Project>;
