import { casFailure, type ResourceKey, type ResourceRecord, type ResourceValues, type Store } from '../../store/index.ts';
import type { Actor } from '../types.ts';
import { auditEntry } from './audit.ts';
import { auditSnapshot, resourceId } from './stored.ts';

/**
 * Creates (`before` undefined) or updates (compare-and-set) a resource with its audit row in ONE
 * statement: the store's write-and-audit CTE is atomic on its own, so no transaction (begin /
 * write / audit / commit, four round trips) is needed. The audit row's `after` is known before
 * the write: version 1 for a create, expected + 1 for an update, and the spec being written.
 * `before` is the record read just before; an expected version other than its version is a
 * conflict (so the audit's `before` is always the version the write replaced).
 */
export async function writeAudited(
  store: Store,
  key: ResourceKey,
  values: ResourceValues,
  before: ResourceRecord | undefined,
  expectedVersion: number | undefined,
  actor: Actor,
  action: string,
): Promise<ResourceRecord> {
  const id = resourceId(key.kind, key.namespace, key.name);
  if (!before) {
    const after = { resourceVersion: 1, resource: values.spec };
    return store.resources.createAudited(key, values, auditEntry(actor, action, id, undefined, after));
  }
  const expected = expectedVersion ?? before.resourceVersion;
  if (expected !== before.resourceVersion) throw casFailure(id, expected, before.resourceVersion);
  const after = { resourceVersion: expected + 1, resource: values.spec };
  return store.resources.updateAudited(key, expected, values, auditEntry(actor, action, id, auditSnapshot(before), after));
}
