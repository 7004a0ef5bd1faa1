import { fail } from '../errors.ts';
import { allIds, type Resource } from '../resource.ts';
import { applyFieldSpecs, fieldSpecSelects } from './field-specs.ts';
import { REPLICAS } from './default-field-specs.ts';

export function applyReplicas(resources: readonly Resource[], name: string, count: number, file: string): void {
  let found = false;
  for (const fs of REPLICAS) {
    for (const r of resources) {
      if (!allIds(r).some((id) => id.name === name)) continue;
      if (!fieldSpecSelects(fs, r.obj)) continue;
      found = true;
      applyFieldSpecs(r.obj, [fs], (parent, key) => {
        parent[key] = count;
      });
    }
  }
  if (!found) {
    fail('E_KUSTOMIZE_INVALID', `replicas: resource with name ${name} does not match a Deployment, ReplicationController, ReplicaSet or StatefulSet`, { file });
  }
}
