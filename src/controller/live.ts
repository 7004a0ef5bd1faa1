import { isPloydError, PloydError } from '../errors/index.ts';
import type { Actor, Page, Ployd, StoredResource } from '../sdk/index.ts';
import type { HealthStatus } from '../runtime/index.ts';
import { APP_LABEL, comparable } from './desired.ts';
import { keyString, type Json, type ResourceKey } from './diff.ts';

/** Kinds the controller creates through the SDK and tracks as live state. */
export const MANAGED_KINDS = ['ModelDeployment', 'GatewayRoute', 'Policy'] as const;
/** Kinds that configure the controller itself (read from Git, never applied as live objects). */
export const CONFIG_KINDS = new Set(['Application', 'Environment', 'Project']);
/**
 * Kinds recorded but not acted on by this controller yet: the canary and rollout controllers own
 * them. A sync reports them as such instead of pretending they were applied.
 */
export const DEFERRED_KINDS = new Set(['CanaryDeployment', 'ModelRollout']);

export interface LiveResource {
  readonly key: ResourceKey;
  readonly value: Json;
  readonly resourceVersion: number;
}

async function all<T>(page: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor !== undefined);
  return out;
}

function owned(r: StoredResource<unknown>, app: string): boolean {
  return (r.resource as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[APP_LABEL] === app;
}

/**
 * Live resources of an application, read through the SDK: those in its environment's namespace
 * that carry its label. Compared in the parsed form the SDK stores, as desired state is.
 */
export async function readLive(ployd: Ployd, app: string, namespace: string): Promise<Map<string, LiveResource>> {
  const [models, routes, policies] = await Promise.all([
    all((cursor) => ployd.modelServing.listModels({ namespace, limit: 1000, ...(cursor ? { cursor } : {}) })),
    all((cursor) => ployd.aiGateway.listRoutes({ namespace, limit: 1000, ...(cursor ? { cursor } : {}) })),
    all((cursor) => ployd.security.listPolicies({ namespace, limit: 1000, ...(cursor ? { cursor } : {}) })),
  ]);
  const out = new Map<string, LiveResource>();
  const add = (kind: string, items: readonly StoredResource<unknown>[]): void => {
    for (const r of items) {
      if (!owned(r, app) || r.namespace !== namespace) continue;
      const key = { kind, namespace: r.namespace, name: r.name };
      out.set(keyString(key), { key, value: comparable(r.resource, r.namespace), resourceVersion: r.resourceVersion });
    }
  };
  add('ModelDeployment', models);
  add('GatewayRoute', routes);
  add('Policy', policies);
  return out;
}

export type ApplyResult = 'applied' | 'unchanged' | 'not-actionable' | 'deferred';

/** Applies one desired resource through the SDK (idempotent: applying twice changes nothing). */
export async function applyResource(ployd: Ployd, kind: string, manifest: Record<string, unknown>, actor: Actor): Promise<ApplyResult> {
  const meta = manifest.metadata as { name: string; namespace: string };
  const ref = { name: meta.name, namespace: meta.namespace };
  switch (kind) {
    case 'ModelDeployment':
      await ployd.modelServing.deployModel(manifest, actor);
      return 'applied';
    case 'GatewayRoute': {
      const exists = await ployd.aiGateway.getRoute(ref).then(
        () => true,
        (e: unknown) => {
          if (isPloydError(e) && e.code === 'E_NOT_FOUND') return false;
          throw e;
        },
      );
      if (exists) await ployd.aiGateway.updateRoute(manifest, actor);
      else await ployd.aiGateway.createRoute(manifest, actor);
      return 'applied';
    }
    case 'Policy': {
      // Policies have no update call: replace (a policy absent for a moment is checked again at
      // the next validation; the stored one is what the validator reads).
      await ployd.security.deletePolicy(ref, actor).catch((e: unknown) => {
        if (!(isPloydError(e) && e.code === 'E_NOT_FOUND')) throw e;
      });
      await ployd.security.createPolicy(manifest, actor);
      return 'applied';
    }
    default:
      if (CONFIG_KINDS.has(kind)) return 'unchanged';
      if (DEFERRED_KINDS.has(kind)) return 'deferred';
      return 'not-actionable';
  }
}

/** Deletes one live resource through the SDK; a resource already gone is not an error. */
export async function deleteResource(ployd: Ployd, key: ResourceKey, actor: Actor): Promise<void> {
  const ref = { name: key.name, namespace: key.namespace };
  const ignoreMissing = (e: unknown): void => {
    if (!(isPloydError(e) && e.code === 'E_NOT_FOUND')) throw e;
  };
  switch (key.kind) {
    case 'ModelDeployment':
      return ployd.modelServing.deleteModel(ref, actor).catch(ignoreMissing);
    case 'GatewayRoute':
      return ployd.aiGateway.deleteRoute(ref, actor).catch(ignoreMissing);
    case 'Policy':
      return ployd.security.deletePolicy(ref, actor).catch(ignoreMissing);
    default:
      throw new PloydError('E_NOT_IMPLEMENTED_HERE', `cannot delete ${key.kind} ${key.name}: not managed by the controller`, { kind: key.kind });
  }
}

/** Health of one resource: models from the runtime; routes and policies are Healthy once stored. */
export async function resourceHealth(ployd: Ployd, key: ResourceKey, live: boolean): Promise<{ health: HealthStatus; message?: string }> {
  if (!live) return { health: 'Missing' };
  if (key.kind !== 'ModelDeployment') return { health: 'Healthy' };
  try {
    const s = await ployd.modelServing.getStatus({ name: key.name, namespace: key.namespace });
    return { health: s.health, ...(s.message !== undefined ? { message: s.message } : {}) };
  } catch (e) {
    if (isPloydError(e) && e.code === 'E_NOT_FOUND') return { health: 'Missing' };
    throw e;
  }
}
