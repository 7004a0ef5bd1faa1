import { PloydError, isPloydError } from '../errors/index.ts';
import type { Repositories, RegistryModelSummary, RegistryVersionRecord, TrackingRecord } from '../store/index.ts';
import { audit, checkActor } from './internal/audit.ts';
import type { SdkContext } from './internal/context.ts';
import { newId } from './internal/secrets.ts';
import { parseInput } from './internal/validate.ts';
import { Name } from '../resources/index.ts';
import {
  PageQuerySchema,
  RegisterModelInputSchema,
  RegistryStageSchema,
  TrackDeploymentInputSchema,
  VersionStringSchema,
  WriteOptionsSchema,
  LineageQuerySchema,
} from './schemas.ts';
import type {
  Actor,
  DeploymentRecord,
  LineageOptions,
  ModelRegistry,
  ModelVersion,
  Page,
  PageOptions,
  RegisterModelInput,
  RegistryModel,
  RegistryStage,
  TrackDeploymentInput,
  WriteOptions,
} from './types.ts';

function toVersion(r: RegistryVersionRecord): ModelVersion {
  return {
    id: r.id,
    modelId: r.modelId,
    name: r.name,
    version: r.version,
    path: r.path,
    framework: r.framework,
    stage: r.stage as RegistryStage,
    metadata: r.metadata,
    createdBy: r.createdBy,
    resourceVersion: r.resourceVersion,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toModel(r: RegistryModelSummary): RegistryModel {
  return {
    id: r.id,
    name: r.name,
    ...(r.latestVersion !== null ? { latestVersion: r.latestVersion } : {}),
    ...(r.productionVersion !== null ? { productionVersion: r.productionVersion } : {}),
    versionCount: r.versionCount,
    resourceVersion: r.resourceVersion,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toDeployment(r: TrackingRecord): DeploymentRecord {
  return {
    id: r.id,
    model: r.model,
    version: r.version,
    environment: r.environment,
    ...(r.deployment !== null ? { deployment: r.deployment } : {}),
    ...(r.commit !== null ? { commit: r.commit } : {}),
    startedAt: r.startedAt,
    ...(r.endedAt !== null ? { endedAt: r.endedAt } : {}),
    deployedBy: r.deployedBy,
  };
}

const versionId = (name: string, version: string) => `RegistryModel/${name}/${version}`;

/**
 * ModelRegistry: models, their versions and stages, and where each version ran (lineage).
 * At most one version of a model is in `production`; promoting another archives it, in the same
 * transaction (and a unique index makes the database refuse anything else).
 */
export class ModelRegistryService implements ModelRegistry {
  readonly #ctx: SdkContext;

  constructor(ctx: SdkContext) {
    this.#ctx = ctx;
  }

  /**
   * Registers a model version (creating the model on first use). E_ALREADY_EXISTS when the
   * version exists.
   *
   * @example
   * const v = await ployd.modelRegistry.registerModel({
   *   name: 'llama-7b-chat', version: 'v2.1', path: 's3://company-models/llama-7b-chat-v2.1', framework: 'vllm',
   *   metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready'] },
   * }, actor);
   * v.modelId; // 'model_…'
   */
  async registerModel(input: RegisterModelInput, actor: Actor): Promise<ModelVersion> {
    checkActor(actor);
    const v = parseInput(RegisterModelInputSchema, input, 'model version');
    const rec = await this.#ctx.store.transaction(async (tx) => {
      const model = await tx.registry.ensureModel(newId('model'), v.name, actor.subject);
      if (v.stage === 'production') await this.#archiveProduction(tx, model.id, actor);
      const created = await tx.registry.createVersion({
        id: newId('mv'),
        modelId: model.id,
        version: v.version,
        path: v.path,
        framework: v.framework,
        stage: v.stage,
        metadata: v.metadata,
        createdBy: actor.subject,
      });
      await tx.registry.touchModel(model.id);
      await audit(tx, actor, 'registry.register', versionId(v.name, v.version), undefined, toVersion(created));
      return created;
    });
    return toVersion(rec);
  }

  /**
   * @example
   * const m = await ployd.modelRegistry.getModel('llama-7b-chat');
   * m.productionVersion; // 'v2.1'
   */
  async getModel(name: string): Promise<RegistryModel> {
    const n = parseInput(Name, name, 'model name');
    const m = await this.#ctx.store.registry.getModel(n);
    if (!m) throw new PloydError('E_NOT_FOUND', `registry model ${n} not found`, { resource: `RegistryModel/${n}` });
    return toModel(m);
  }

  /**
   * @example
   * const v = await ployd.modelRegistry.getVersion('llama-7b-chat', 'v2.1');
   */
  async getVersion(name: string, version: string): Promise<ModelVersion> {
    const n = parseInput(Name, name, 'model name');
    const ver = parseInput(VersionStringSchema, version, 'version');
    const r = await this.#ctx.store.registry.getVersion(n, ver);
    if (!r) throw new PloydError('E_NOT_FOUND', `registry model ${n} version ${ver} not found`, { resource: versionId(n, ver) });
    return toVersion(r);
  }

  /**
   * @example
   * const { items } = await ployd.modelRegistry.listModels({ limit: 100 });
   */
  async listModels(options: PageOptions = {}): Promise<Page<RegistryModel>> {
    const q = parseInput(PageQuerySchema, options, 'list options');
    const page = await this.#ctx.store.registry.listModels(q);
    return { items: page.items.map(toModel), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * Versions of a model, newest first.
   *
   * @example
   * const { items } = await ployd.modelRegistry.listVersions('llama-7b-chat');
   */
  async listVersions(name: string, options: PageOptions = {}): Promise<Page<ModelVersion>> {
    const q = parseInput(PageQuerySchema, options, 'list options');
    const model = await this.getModel(name);
    const page = await this.#ctx.store.registry.listVersions(model.id, q);
    return { items: page.items.map(toVersion), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * Moves a version to a stage. Promoting to `production` archives the previous production
   * version in the same transaction.
   *
   * @example
   * await ployd.modelRegistry.setStage('llama-7b-chat', 'v2.1', 'production', actor);
   */
  async setStage(name: string, version: string, stage: RegistryStage, actor: Actor, options: WriteOptions = {}): Promise<ModelVersion> {
    checkActor(actor);
    const n = parseInput(Name, name, 'model name');
    const ver = parseInput(VersionStringSchema, version, 'version');
    const st = parseInput(RegistryStageSchema, stage, 'stage');
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    try {
      const rec = await this.#ctx.store.transaction(async (tx) => {
        const before = await tx.registry.getVersion(n, ver);
        if (!before) throw new PloydError('E_NOT_FOUND', `registry model ${n} version ${ver} not found`, { resource: versionId(n, ver) });
        const expected = opts.resourceVersion ?? before.resourceVersion;
        if (before.stage === st && opts.resourceVersion === undefined) return before;
        if (st === 'production') await this.#archiveProduction(tx, before.modelId, actor, before.id);
        const after = await tx.registry.setStage(before.id, expected, st);
        await tx.registry.touchModel(before.modelId);
        await audit(tx, actor, 'registry.stage', versionId(n, ver), toVersion(before), toVersion(after));
        return after;
      });
      return toVersion(rec);
    } catch (err) {
      // Two promotions racing: the unique index refuses the second; say so in our vocabulary.
      if (isPloydError(err) && err.code === 'E_ALREADY_EXISTS') {
        throw new PloydError('E_CONFLICT', `another version of ${n} was promoted to production meanwhile; retry`, { resource: versionId(n, ver) }, { cause: err });
      }
      throw err;
    }
  }

  async #archiveProduction(tx: Repositories, modelId: string, actor: Actor, except?: string): Promise<void> {
    for (const prod of await tx.registry.findInStage(modelId, 'production')) {
      if (prod.id === except) continue;
      const archived = await tx.registry.setStage(prod.id, prod.resourceVersion, 'archived');
      await audit(tx, actor, 'registry.stage', versionId(prod.name, prod.version), toVersion(prod), toVersion(archived));
    }
  }

  /**
   * Records that a version now runs in an environment; the span of the version it replaces there
   * ends at the same instant.
   *
   * @example
   * await ployd.modelRegistry.trackDeployment({ model: 'llama-7b-chat', version: 'v2.1', environment: 'production', deployment: 'llama-7b-chat-v2-1' }, actor);
   */
  async trackDeployment(input: TrackDeploymentInput, actor: Actor): Promise<DeploymentRecord> {
    checkActor(actor);
    const t = parseInput(TrackDeploymentInputSchema, input, 'deployment tracking');
    const rec = await this.#ctx.store
      .transaction(async (tx) => {
        if (!(await tx.registry.getVersion(t.model, t.version))) {
          throw new PloydError('E_NOT_FOUND', `registry model ${t.model} version ${t.version} not found; register it first`, { resource: versionId(t.model, t.version) });
        }
        const { started, ended } = await tx.tracking.start({
          id: newId('dep'),
          model: t.model,
          version: t.version,
          environment: t.environment,
          deployment: t.deployment,
          commit: t.commit ?? actor.commit,
          deployedBy: actor.subject,
          at: this.#ctx.now(),
        });
        await audit(tx, actor, 'registry.track', `Deployment/${t.model}/${t.environment}`, ended ? toDeployment(ended) : undefined, toDeployment(started));
        return started;
      })
      .catch((err: unknown) => {
        // Two trackings of one model and environment racing: the open-span index refuses the second.
        if (isPloydError(err) && err.code === 'E_ALREADY_EXISTS') {
          throw new PloydError('E_CONFLICT', `${t.model} in ${t.environment} was tracked concurrently; retry`, { resource: `Deployment/${t.model}/${t.environment}` }, { cause: err });
        }
        throw err;
      });
    return toDeployment(rec);
  }

  /**
   * Which version ran where and when, newest first.
   *
   * @example
   * const spans = await ployd.modelRegistry.lineage('llama-7b-chat', { environment: 'production' });
   */
  async lineage(name: string, options: LineageOptions = {}): Promise<DeploymentRecord[]> {
    const n = parseInput(Name, name, 'model name');
    const q = parseInput(LineageQuerySchema, options, 'lineage options');
    return (await this.#ctx.store.tracking.history(n, q)).map(toDeployment);
  }
}
