import { isPloydError, PloydError } from '../errors/index.ts';
import type { Actor, Ployd, StoredResource } from '../sdk/index.ts';
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

function owned(r: StoredResource<unknown>, app: string): boolean {
  return (r.resource as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[APP_LABEL] === app;
}

async function getStored(ployd: Ployd, key: ResourceKey): Promise<StoredResource<unknown> | undefined> {
  const ref = { namespace: key.namespace, name: key.name };
  const read =
    key.kind === 'ModelDeployment' ? ployd.modelServing.getModel(ref) : key.kind === 'GatewayRoute' ? ployd.aiGateway.getRoute(ref) : key.kind === 'Policy' ? ployd.security.getPolicy(ref) : undefined;
  if (!read) return undefined;
  try {
    return await read;
  } catch (e) {
    if (isPloydError(e) && e.code === 'E_NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * Live resources of an application, read through the SDK by key: what Git wants now plus what
 * the controller applied for the app before (so removals are seen and pruned). Only objects that
 * carry the app's label count. Point reads keep a reconcile O(resources of the app), not
 * O(resources of the namespace). Compared in the parsed form the SDK stores, as desired state is.
 */
export async function readLive(ployd: Ployd, app: string, keys: readonly ResourceKey[]): Promise<Map<string, LiveResource>> {
  const out = new Map<string, LiveResource>();
  const unique = new Map(keys.filter((k) => (MANAGED_KINDS as readonly string[]).includes(k.kind)).map((k) => [keyString(k), k]));
  const found = await Promise.all([...unique.values()].map(async (k) => [k, await getStored(ployd, k)] as const));
  for (const [key, r] of found) {
    if (!r || !owned(r, app)) continue;
    out.set(keyString(key), { key, value: comparable(r.resource, r.namespace), resourceVersion: r.resourceVersion });
  }
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
