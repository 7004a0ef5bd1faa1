import { isDeepStrictEqual } from 'node:util';
import { isPloydError, PloydError } from '../errors/index.ts';
import type { Actor, Ployd } from '../sdk/index.ts';
import type { ModelDeployment } from '../resources/index.ts';
import type { HealthStatus } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
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
  /** The stored (parsed) resource, as read. */
  readonly stored: unknown;
}

function owned(resource: unknown, app: string): boolean {
  return (resource as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[APP_LABEL] === app;
}

/**
 * Live resources of an application, by key: what Git wants now plus what the controller applied
 * for the app before (so removals are seen and pruned). Only objects that carry the app's label
 * count. One statement of primary-key lookups keeps a reconcile O(resources of the app), not
 * O(resources of the namespace). Compared in the parsed form the SDK stores, as desired state is.
 */
export async function readLive(store: Store, app: string, keys: readonly ResourceKey[]): Promise<Map<string, LiveResource>> {
  const out = new Map<string, LiveResource>();
  const unique = new Map(keys.filter((k) => (MANAGED_KINDS as readonly string[]).includes(k.kind)).map((k) => [keyString(k), k]));
  for (const r of await store.resources.getMany([...unique.values()])) {
    if (!owned(r.spec, app)) continue;
    const key = { kind: r.kind, namespace: r.namespace, name: r.name };
    out.set(keyString(key), { key, value: comparable(r.spec, r.namespace), resourceVersion: r.resourceVersion, stored: r.spec });
  }
  return out;
}

export type ApplyResult = 'applied' | 'unchanged' | 'not-actionable' | 'deferred';

const isCode = (code: string) => (e: unknown): e is Error => isPloydError(e) && e.code === code;

/**
 * Applies one desired resource through the SDK (idempotent: applying twice changes nothing).
 * `exists` is a hint (the controller applied it before): it picks which call to try first, and
 * the other one follows when the hint was wrong, so it only saves a read. A deployment's stored
 * resource, as the SDK returned it, goes into `deployed` (by key string) when given.
 */
export async function applyResource(
  ployd: Ployd,
  kind: string,
  manifest: Record<string, unknown>,
  actor: Actor,
  exists?: boolean,
  deployed?: Map<string, ModelDeployment>,
): Promise<ApplyResult> {
  const meta = manifest.metadata as { name: string; namespace: string };
  const ref = { name: meta.name, namespace: meta.namespace };
  switch (kind) {
    case 'ModelDeployment': {
      const md = await ployd.modelServing.deployModel(manifest, actor);
      deployed?.set(keyString({ kind, namespace: md.namespace, name: md.name }), md.resource);
      return 'applied';
    }
    case 'GatewayRoute': {
      const update = (): Promise<unknown> => ployd.aiGateway.updateRoute(manifest, actor);
      const create = (): Promise<unknown> => ployd.aiGateway.createRoute(manifest, actor);
      const orElse = (code: string, next: () => Promise<unknown>) => (e: unknown): Promise<unknown> => {
        if (isCode(code)(e)) return next();
        throw e;
      };
      if (exists === true) await update().catch(orElse('E_NOT_FOUND', create));
      else if (exists === false) await create().catch(orElse('E_ALREADY_EXISTS', update));
      else {
        const found = await ployd.aiGateway.getRoute(ref).then(
          () => true,
          (e: unknown) => {
            if (isCode('E_NOT_FOUND')(e)) return false;
            throw e;
          },
        );
        await (found ? update() : create());
      }
      return 'applied';
    }
    case 'Policy': {
      // Policies have no update call: replace (a policy absent for a moment is checked again at
      // the next validation; the stored one is what the validator reads). One stored exactly as
      // Git has it is left alone, so re-applying (a resumed sync) writes nothing, as for the others.
      const stored = await ployd.security.getPolicy(ref).catch((e: unknown) => {
        if (isCode('E_NOT_FOUND')(e)) return undefined;
        throw e;
      });
      if (stored && isDeepStrictEqual(stored.manifest, manifest)) return 'applied';
      if (stored) await ployd.security.deletePolicy(ref, actor).catch((e: unknown) => {
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

/**
 * Health of one resource: models from the runtime; routes and policies are Healthy once stored.
 * `live` is true (look the deployment up in the store), false (not live: Missing), or the record
 * the caller has just read from the store or written to it (saves getStatus reading it again).
 */
export async function resourceHealth(ployd: Ployd, key: ResourceKey, live: boolean | Pick<LiveResource, 'stored'>): Promise<{ health: HealthStatus; message?: string }> {
  if (live === false) return { health: 'Missing' };
  if (key.kind !== 'ModelDeployment') return { health: 'Healthy' };
  try {
    const ref = { name: key.name, namespace: key.namespace };
    const s = await ployd.modelServing.getStatus(ref, live === true ? {} : { desired: live.stored as ModelDeployment });
    return { health: s.health, ...(s.message !== undefined ? { message: s.message } : {}) };
  } catch (e) {
    if (isPloydError(e) && e.code === 'E_NOT_FOUND') return { health: 'Missing' };
    throw e;
  }
}
