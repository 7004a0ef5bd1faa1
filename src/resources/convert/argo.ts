import { parse } from 'yaml';
import type { AppProject, ArgoApplication } from '../kinds/argo.ts';
import { PLOYD_API_VERSION } from '../metadata.ts';
import { compact } from './llm-deployment.ts';

type Json = Record<string, unknown>;

const ARGO_SYNC_OPTIONS = new Set(['CreateNamespace', 'PruneLast', 'ApplyOutOfSyncOnly', 'Validate', 'ServerSideApply', 'Prune']);

/**
 * Argo CD Application → ployd Application. The environment is the destination namespace, as in
 * seed 000 where namespaces are development/staging/production. Seed 000's `preSync` Job hooks
 * keep their manifest (they run on the Kubernetes target) and `dependencies` become dependsOn.
 */
export function convertArgoApplication(src: ArgoApplication): Json {
  const s = src.spec;
  const sync = s.syncPolicy;
  return {
    apiVersion: PLOYD_API_VERSION,
    kind: 'Application',
    metadata: compact({ ...src.metadata, annotations: { ...src.metadata.annotations, 'ployd.ai/converted-from': 'argoproj.io/v1alpha1/Application' } }),
    spec: compact({
      project: s.project,
      source: compact({ repoURL: s.source.repoURL, targetRevision: s.source.targetRevision, path: s.source.path }),
      environment: s.destination.namespace,
      destination: compact({ ...s.destination }),
      syncPolicy: sync
        ? compact({
            automated: sync.automated ? compact({ ...sync.automated }) : undefined,
            syncOptions: sync.syncOptions?.filter((o) => ARGO_SYNC_OPTIONS.has(o.split('=')[0] ?? '')),
            retry: sync.retry ? compact({ limit: sync.retry.limit, backoff: sync.retry.backoff ? compact({ ...sync.retry.backoff }) : undefined }) : undefined,
          })
        : undefined,
      dependsOn: s.dependencies?.map((d) => compact({ name: d.name, conditions: d.conditions })),
      hooks: s.preSync?.map((h) =>
        compact({ name: h.name, phase: h.hook, deletePolicy: h.hookDeletePolicy, job: parse(h.manifest) as Json }),
      ),
      // An absent group is Argo CD's core group (""): kept explicit, since on a ployd Application
      // an absent group means ployd.ai. Every rule is kept (jq ones too) so none is dropped silently.
      ignoreDifferences: s.ignoreDifferences?.map((d) => compact({ ...d, group: d.group ?? '' })),
      revisionHistoryLimit: s.revisionHistoryLimit,
    }),
  };
}

/** Argo CD AppProject → ployd Project, field for field. */
export function convertAppProject(src: AppProject): Json {
  return {
    apiVersion: PLOYD_API_VERSION,
    kind: 'Project',
    metadata: compact({ ...src.metadata, annotations: { ...src.metadata.annotations, 'ployd.ai/converted-from': 'argoproj.io/v1alpha1/AppProject' } }),
    spec: compact({ ...src.spec }),
  };
}

/** The syncOptions Argo CD accepts that PloyD ignores, so validation can warn about them. */
export function unsupportedArgoSyncOptions(src: ArgoApplication): string[] {
  return (src.spec.syncPolicy?.syncOptions ?? []).filter((o) => !ARGO_SYNC_OPTIONS.has(o.split('=')[0] ?? ''));
}
