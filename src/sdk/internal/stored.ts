import { APPLICATION_LABEL } from '../../resources/index.ts';
import type { ResourceRecord } from '../../store/index.ts';
import type { StoredResource } from '../types.ts';

export function toStored<R>(rec: ResourceRecord): StoredResource<R> {
  return {
    namespace: rec.namespace,
    name: rec.name,
    resource: rec.spec as R,
    manifest: rec.manifest,
    hash: rec.hash,
    resourceVersion: rec.resourceVersion,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
  };
}

/** The Application a resource belongs to (its GitOps label), stored in `resources.application`. */
export function applicationOf(labels: Readonly<Record<string, string>> | undefined): string | null {
  return labels?.[APPLICATION_LABEL] ?? null;
}

/** What the audit log keeps of a resource: its version and parsed form. */
export function auditSnapshot(rec: ResourceRecord | undefined): unknown {
  return rec ? { resourceVersion: rec.resourceVersion, resource: rec.spec } : undefined;
}

export function resourceId(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
