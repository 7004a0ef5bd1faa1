import { isDeepStrictEqual } from 'node:util';
import { PloydError } from '../errors/index.ts';
import { desiredReplicas, type ModelDeployment } from '../resources/index.ts';
import type { DeploymentRef } from '../runtime/index.ts';
import { audit, checkActor } from './internal/audit.ts';
import { DEFAULT_NAMESPACE, type SdkContext } from './internal/context.ts';
import { specHash } from './internal/hash.ts';
import { writeAudited } from './internal/write.ts';
import { applicationOf, auditSnapshot, resourceId, toStored } from './internal/stored.ts';
import { parseInput, parseManifest } from './internal/validate.ts';
import { DeployModelKeywordsSchema, ModelListQuerySchema, ObjectRefSchema, ScaleInputSchema, WriteOptionsSchema } from './schemas.ts';
import type {
  Actor,
  DeployModelInput,
  ModelListOptions,
  ModelServing,
  ModelStatus,
  ObjectRef,
  Page,
  StoredModelDeployment,
  StatusOptions,
  WriteOptions,
} from './types.ts';

const KIND = 'ModelDeployment';
export const NO_RUNTIME_MESSAGE = 'no runtime is attached: desired state is recorded only';
/** An unchanged observed status is stored again after this long (its observedAt stays recent). */
const STATUS_REFRESH_MS = 30_000;

type NamespacedDeployment = ModelDeployment & { metadata: { namespace: string } };

/** Seed 001's `deploy_model(name=, model_path=, ...)` keywords as a ModelDeployment manifest. */
export function keywordsToManifest(input: unknown): Record<string, unknown> {
  const k = parseInput(DeployModelKeywordsSchema, input, 'deployModel keywords');
  const model: Record<string, unknown> = { framework: k.framework, path: k.modelPath, ...(k.frameworkConfig ?? {}) };
  const spec: Record<string, unknown> = {
    model,
    scaling: { minReplicas: k.minReplicas, maxReplicas: k.maxReplicas },
    ...(k.replicas !== undefined ? { replicas: k.replicas } : {}),
    ...(k.gpuCount > 0 || k.gpuType ? { resources: { gpu: { count: k.gpuCount, ...(k.gpuType ? { type: k.gpuType } : {}) } } } : {}),
  };
  return {
    apiVersion: 'ployd.ai/v1',
    kind: KIND,
    metadata: { name: k.name, ...(k.namespace ? { namespace: k.namespace } : {}), ...(k.labels ? { labels: k.labels } : {}) },
    spec,
  };
}

function isManifest(input: unknown): boolean {
  return input !== null && typeof input === 'object' && ('apiVersion' in input || 'kind' in input);
}

function checkBounds(md: ModelDeployment, path: (string | number)[]): void {
  const replicas = md.spec.replicas;
  const s = md.spec.scaling;
  if (replicas === undefined || !s) return;
  if (replicas < s.minReplicas || replicas > s.maxReplicas) {
    throw new PloydError('E_REPLICA_BOUNDS', `replicas ${replicas} is outside scaling bounds ${s.minReplicas}..${s.maxReplicas}`, {
      issues: [{ path, message: `must be within ${s.minReplicas}..${s.maxReplicas}` }],
    });
  }
  if (s.minReplicas > s.maxReplicas) {
    throw new PloydError('E_REPLICA_BOUNDS', `scaling.minReplicas ${s.minReplicas} exceeds maxReplicas ${s.maxReplicas}`, {
      issues: [{ path: ['spec', 'scaling', 'minReplicas'], message: 'must be <= maxReplicas' }],
    });
  }
}

/**
 * ModelServing: deploy, scale and remove models (seed 001). Desired state goes to the store with
 * its audit row in one transaction; then the runtime is told and the route table republished.
 */
export class ModelServingService implements ModelServing {
  readonly #ctx: SdkContext;
  /** What getStatus last stored per deployment, to skip rewriting an unchanged status. */
  readonly #stored = new Map<string, { readonly status: string; readonly at: number }>();

  constructor(ctx: SdkContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates or updates a ModelDeployment (apply semantics). Accepts a manifest (also llm-d's
   * LLMDeployment, converted) or seed 001's keyword shape. With `resourceVersion`, the update only
   * happens if the stored object is still at that version (E_CONFLICT otherwise). An unchanged
   * manifest is a no-op: no new version, no audit row.
   *
   * @example
   * const md = await ployd.modelServing.deployModel(
   *   { name: 'llama-7b-chat-v2-1', modelPath: 's3://models/llama-7b-chat-v2.1', framework: 'vllm', gpuCount: 2, minReplicas: 1, maxReplicas: 5 },
   *   { subject: 'alice', groups: ['ml-engineers'], via: 'api' },
   * );
   * md.resourceVersion; // 1
   */
  async deployModel(input: DeployModelInput, actor: Actor, options: WriteOptions = {}): Promise<StoredModelDeployment> {
    checkActor(actor);
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    const raw = isManifest(input) ? input : keywordsToManifest(input);
    const { resource, manifest } = parseManifest(raw, KIND);
    const namespace = resource.metadata.namespace ?? DEFAULT_NAMESPACE;
    const md: NamespacedDeployment = { ...resource, metadata: { ...resource.metadata, namespace } };
    checkBounds(md, ['spec', 'replicas']);
    const key = { kind: KIND, namespace, name: md.metadata.name };
    const values = { apiVersion: md.apiVersion, spec: md, manifest, labels: md.metadata.labels ?? {}, application: applicationOf(md.metadata.labels), hash: specHash(md) };

    // One read, then (when something changed) one write-and-audit statement: atomic without a
    // transaction. A concurrent writer between the two makes the compare-and-set fail (E_CONFLICT,
    // or E_ALREADY_EXISTS for a concurrent create), never a lost update.
    const store = this.#ctx.store;
    const before = await store.resources.get(key);
    const unchanged = before && before.hash === values.hash && isDeepStrictEqual(before.manifest, manifest) && opts.resourceVersion === undefined;
    if (!before && opts.resourceVersion !== undefined) throw new PloydError('E_NOT_FOUND', `${resourceId(KIND, namespace, key.name)} not found`, { resource: resourceId(KIND, namespace, key.name) });
    const changed = !unchanged;
    const record = unchanged ? before : await writeAudited(store, key, values, before, opts.resourceVersion, actor, before ? 'model.update' : 'model.deploy');

    await this.#applyToRuntime(md);
    if (changed) await this.#ctx.publisher.request();
    return toStored<ModelDeployment>(record);
  }

  /**
   * Sets the replica count of a deployment (within its scaling bounds, E_REPLICA_BOUNDS otherwise).
   *
   * @example
   * await ployd.modelServing.scaleModel({ name: 'llama-7b-chat-v2-1' }, 3, actor, { resourceVersion: md.resourceVersion });
   */
  async scaleModel(ref: ObjectRef, replicas: number, actor: Actor, options: WriteOptions = {}): Promise<StoredModelDeployment> {
    checkActor(actor);
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'model reference');
    const { replicas: n } = parseInput(ScaleInputSchema, { replicas }, 'scale');
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    const key = { kind: KIND, namespace, name };

    const record = await this.#ctx.store.transaction(async (tx) => {
      const before = await tx.resources.require(key);
      const current = before.spec as NamespacedDeployment;
      const next: NamespacedDeployment = { ...current, spec: { ...current.spec, replicas: n } };
      checkBounds(next, ['replicas']);
      const manifestSpec = (before.manifest.spec ?? {}) as Record<string, unknown>;
      const manifest = { ...before.manifest, spec: { ...manifestSpec, replicas: n } };
      const after = await tx.resources.update(key, opts.resourceVersion ?? before.resourceVersion, {
        apiVersion: before.apiVersion,
        spec: next,
        manifest,
        labels: before.labels,
        application: applicationOf(before.labels),
        hash: specHash(next),
      });
      await audit(tx, actor, 'model.scale', resourceId(KIND, namespace, name), auditSnapshot(before), auditSnapshot(after));
      return after;
    });

    const runtime = this.#ctx.runtime;
    if (runtime) {
      await this.#runtimeCall('scale', { namespace, name }, async () => {
        // A runtime that lost the deployment (restart) gets the whole spec again.
        if (await runtime.status({ namespace, name })) await runtime.scale({ namespace, name }, n);
        else await runtime.apply(record.spec as NamespacedDeployment);
      });
    }
    await this.#ctx.publisher.request();
    return toStored<ModelDeployment>(record);
  }

  /**
   * @example
   * const md = await ployd.modelServing.getModel({ name: 'llama-7b-chat-v2-1', namespace: 'production' });
   */
  async getModel(ref: ObjectRef): Promise<StoredModelDeployment> {
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'model reference');
    return toStored<ModelDeployment>(await this.#ctx.store.resources.require({ kind: KIND, namespace, name }));
  }

  /**
   * Pages through deployments ordered by namespace and name.
   *
   * @example
   * let page = await ployd.modelServing.listModels({ limit: 50 });
   * while (page.nextCursor) page = await ployd.modelServing.listModels({ limit: 50, cursor: page.nextCursor });
   */
  async listModels(options: ModelListOptions = {}): Promise<Page<StoredModelDeployment>> {
    const q = parseInput(ModelListQuerySchema, options, 'list options');
    const page = await this.#ctx.store.resources.list({ kind: KIND, ...q });
    return { items: page.items.map((r) => toStored<ModelDeployment>(r)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * Removes a deployment from desired state and from the runtime.
   *
   * @example
   * await ployd.modelServing.deleteModel({ name: 'llama-7b-chat-v2-0' }, actor);
   */
  async deleteModel(ref: ObjectRef, actor: Actor, options: WriteOptions = {}): Promise<void> {
    checkActor(actor);
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'model reference');
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    const key = { kind: KIND, namespace, name };
    await this.#ctx.store.transaction(async (tx) => {
      const before = await tx.resources.delete(key, opts.resourceVersion);
      await audit(tx, actor, 'model.delete', resourceId(KIND, namespace, name), auditSnapshot(before), undefined);
    });
    const runtime = this.#ctx.runtime;
    this.#stored.delete(resourceId(KIND, namespace, name));
    if (runtime) await this.#runtimeCall('delete', { namespace, name }, () => runtime.delete({ namespace, name }));
    await this.#ctx.publisher.request();
  }

  /**
   * Health and replicas as the runtime reports them; `Unknown` (saying why) without a runtime,
   * `Missing` when the runtime does not know the deployment.
   *
   * @example
   * const s = await ployd.modelServing.getStatus({ name: 'llama-7b-chat-v2-1' });
   * if (s.health !== 'Healthy') console.log(s.message);
   */
  async getStatus(ref: ObjectRef, options: StatusOptions = {}): Promise<ModelStatus> {
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'model reference');
    const given = options.desired;
    if (given && (given.metadata.name !== name || (given.metadata.namespace ?? DEFAULT_NAMESPACE) !== namespace)) {
      throw new PloydError('E_VALIDATION', `getStatus: options.desired is ${given.metadata.namespace ?? DEFAULT_NAMESPACE}/${given.metadata.name}, not ${namespace}/${name}`, {
        issues: [{ path: ['options', 'desired', 'metadata'], message: 'must be the deployment asked about' }],
      });
    }
    const md = given ?? ((await this.#ctx.store.resources.require({ kind: KIND, namespace, name })).spec as ModelDeployment);
    const observedAt = this.#ctx.now();
    const runtime = this.#ctx.runtime;
    if (!runtime) {
      return { namespace, name, health: 'Unknown', message: NO_RUNTIME_MESSAGE, desiredReplicas: desiredReplicas(md), readyReplicas: 0, replicas: [], observedAt };
    }
    const s = await runtime.status({ namespace, name });
    if (!s) {
      return {
        namespace,
        name,
        health: 'Missing',
        message: `runtime ${runtime.name} has no such deployment`,
        desiredReplicas: desiredReplicas(md),
        readyReplicas: 0,
        replicas: [],
        runtime: runtime.name,
        observedAt,
      };
    }
    const status: ModelStatus = {
      namespace,
      name,
      health: s.health,
      ...(s.message !== undefined ? { message: s.message } : {}),
      desiredReplicas: s.desiredReplicas,
      readyReplicas: s.readyReplicas,
      replicas: s.replicas,
      runtime: runtime.name,
      observedAt,
    };
    // The last observed status is kept so the API and dashboard can show it without a runtime call.
    // An unchanged status is rewritten only every STATUS_REFRESH_MS (its observedAt): a controller
    // polling health would otherwise write a row per poll.
    const id = resourceId(KIND, namespace, name);
    const fingerprint = JSON.stringify([status.health, status.message, status.desiredReplicas, status.readyReplicas, status.replicas]);
    const last = this.#stored.get(id);
    if (last && last.status === fingerprint && observedAt.getTime() - last.at < STATUS_REFRESH_MS) return status;
    await this.#ctx.store.live.putDeploymentStatus({
      namespace,
      name,
      health: status.health,
      message: status.message ?? null,
      desiredReplicas: status.desiredReplicas,
      readyReplicas: status.readyReplicas,
      replicas: [...status.replicas],
      runtime: runtime.name,
      observedAt,
    });
    this.#stored.set(id, { status: fingerprint, at: observedAt.getTime() });
    return status;
  }

  async #applyToRuntime(md: NamespacedDeployment): Promise<void> {
    const runtime = this.#ctx.runtime;
    if (runtime) await this.#runtimeCall('apply', md.metadata, () => runtime.apply(md));
  }

  /**
   * Desired state is committed before the runtime is told, so a runtime failure does not undo it:
   * it is logged and recorded as a Warning event, and getStatus shows the runtime's view. The
   * runtime converges on the next apply (the controller's resync), never half-applies.
   */
  async #runtimeCall(op: string, ref: DeploymentRef, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#ctx.logger.warn({ op, namespace: ref.namespace, name: ref.name, err: message }, 'runtime call failed');
      await this.#ctx.store.events
        .append({ type: 'Warning', reason: `Runtime${op[0]?.toUpperCase() ?? ''}${op.slice(1)}Failed`, message, kind: KIND, namespace: ref.namespace, name: ref.name, source: 'sdk' })
        .catch(() => undefined);
    }
  }
}
