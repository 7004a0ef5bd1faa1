import type { Kysely } from 'kysely';
import { PloydError } from '../../errors/index.ts';
import { decodeCursor, json, pageLimit, toDate, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import { casFailure } from './resources.ts';

export interface RegistryModelRecord {
  readonly id: string;
  readonly name: string;
  readonly resourceVersion: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RegistryVersionRecord {
  readonly id: string;
  readonly modelId: string;
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly framework: string;
  readonly stage: string;
  readonly metadata: Record<string, unknown>;
  readonly resourceVersion: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RegistryModelSummary extends RegistryModelRecord {
  readonly latestVersion: string | null;
  readonly productionVersion: string | null;
  readonly versionCount: number;
}

export interface NewVersion {
  readonly id: string;
  readonly modelId: string;
  readonly version: string;
  readonly path: string;
  readonly framework: string;
  readonly stage: string;
  readonly metadata: Record<string, unknown>;
  readonly createdBy: string;
}

export interface RegistryRepository {
  getModel(name: string): Promise<RegistryModelSummary | undefined>;
  /** Creates the model row if absent; returns it either way (race-safe). */
  ensureModel(id: string, name: string, createdBy: string): Promise<RegistryModelRecord>;
  listModels(query: { limit?: number | undefined; cursor?: string | undefined }): Promise<StorePage<RegistryModelSummary>>;
  getVersion(name: string, version: string): Promise<RegistryVersionRecord | undefined>;
  /** E_ALREADY_EXISTS when the version exists. */
  createVersion(v: NewVersion): Promise<RegistryVersionRecord>;
  /** Newest first. */
  listVersions(modelId: string, query: { limit?: number | undefined; cursor?: string | undefined }): Promise<StorePage<RegistryVersionRecord>>;
  /** Compare-and-set of the stage. */
  setStage(id: string, expectedVersion: number, stage: string): Promise<RegistryVersionRecord>;
  /** The version of a model currently in a stage. */
  findInStage(modelId: string, stage: string): Promise<RegistryVersionRecord[]>;
  touchModel(modelId: string): Promise<void>;
}

export function registryRepository(db: Kysely<Database>): RegistryRepository {
  const versionQuery = () =>
    db
      .selectFrom('registry_versions as v')
      .innerJoin('registry_models as m', 'm.id', 'v.model_id')
      .selectAll('v')
      .select('m.name as model_name');

  const toVersion = (r: Row<'registry_versions'> & { model_name: string }): RegistryVersionRecord => ({
    id: r.id,
    modelId: r.model_id,
    name: r.model_name,
    version: r.version,
    path: r.path,
    framework: r.framework,
    stage: r.stage,
    metadata: r.metadata,
    resourceVersion: r.resource_version,
    createdBy: r.created_by,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  });

  const summaryQuery = () =>
    db
      .selectFrom('registry_models as m')
      .selectAll('m')
      .select((eb) => [
        eb.selectFrom('registry_versions as v').whereRef('v.model_id', '=', 'm.id').select((e) => e.fn.countAll<number | string>().as('n')).as('version_count'),
        eb
          .selectFrom('registry_versions as v')
          .whereRef('v.model_id', '=', 'm.id')
          .select('v.version')
          .orderBy('v.created_at', 'desc')
          .orderBy('v.id', 'desc')
          .limit(1)
          .as('latest_version'),
        eb.selectFrom('registry_versions as v').whereRef('v.model_id', '=', 'm.id').where('v.stage', '=', 'production').select('v.version').limit(1).as('production_version'),
      ]);

  const toSummary = (r: Row<'registry_models'> & { version_count: number | string | null; latest_version: string | null; production_version: string | null }): RegistryModelSummary => ({
    id: r.id,
    name: r.name,
    resourceVersion: r.resource_version,
    createdBy: r.created_by,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
    latestVersion: r.latest_version,
    productionVersion: r.production_version,
    versionCount: Number(r.version_count ?? 0),
  });

  const repo: RegistryRepository = {
    async getModel(name) {
      const row = await summaryQuery().where('m.name', '=', name).executeTakeFirst();
      return row ? toSummary(row) : undefined;
    },

    async ensureModel(id, name, createdBy) {
      await db.insertInto('registry_models').values({ id, name, created_by: createdBy }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const row = await db.selectFrom('registry_models').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
      return { id: row.id, name: row.name, resourceVersion: row.resource_version, createdBy: row.created_by, createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at) };
    },

    async listModels(query) {
      const limit = pageLimit(query.limit);
      let q = summaryQuery();
      if (query.cursor !== undefined) q = q.where('m.name', '>', String(decodeCursor(query.cursor, 1)[0]));
      const rows = await q.orderBy('m.name').limit(limit + 1).execute();
      return toPage(rows, limit, toSummary, (r) => [r.name]);
    },

    async getVersion(name, version) {
      const row = await versionQuery().where('m.name', '=', name).where('v.version', '=', version).executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    async createVersion(v) {
      const inserted = await db
        .insertInto('registry_versions')
        .values({ id: v.id, model_id: v.modelId, version: v.version, path: v.path, framework: v.framework, stage: v.stage, metadata: json(v.metadata), created_by: v.createdBy })
        .onConflict((oc) => oc.columns(['model_id', 'version']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) throw new PloydError('E_ALREADY_EXISTS', `model version ${v.version} already exists`, { version: v.version });
      const row = await versionQuery().where('v.id', '=', inserted.id).executeTakeFirstOrThrow();
      return toVersion(row);
    },

    async listVersions(modelId, query) {
      const limit = pageLimit(query.limit);
      let q = versionQuery().where('v.model_id', '=', modelId);
      if (query.cursor !== undefined) {
        const [at, id] = decodeCursor(query.cursor, 2);
        const atDate = new Date(String(at));
        q = q.where((eb) => eb.or([eb('v.created_at', '<', atDate), eb.and([eb('v.created_at', '=', atDate), eb('v.id', '<', String(id))])]));
      }
      const rows = await q.orderBy('v.created_at', 'desc').orderBy('v.id', 'desc').limit(limit + 1).execute();
      return toPage(rows, limit, toVersion, (r) => [toDate(r.created_at).toISOString(), r.id]);
    },

    async setStage(id, expectedVersion, stage) {
      const updated = await db
        .updateTable('registry_versions')
        .set((eb) => ({ stage, resource_version: eb('resource_version', '+', 1), updated_at: new Date() }))
        .where('id', '=', id)
        .where('resource_version', '=', expectedVersion)
        .returning('id')
        .executeTakeFirst();
      if (!updated) {
        const current = await db.selectFrom('registry_versions').select('resource_version').where('id', '=', id).executeTakeFirst();
        throw casFailure(`model version ${id}`, expectedVersion, current?.resource_version);
      }
      return toVersion(await versionQuery().where('v.id', '=', id).executeTakeFirstOrThrow());
    },

    async findInStage(modelId, stage) {
      const rows = await versionQuery().where('v.model_id', '=', modelId).where('v.stage', '=', stage).execute();
      return rows.map(toVersion);
    },

    async touchModel(modelId) {
      await db
        .updateTable('registry_models')
        .set((eb) => ({ resource_version: eb('resource_version', '+', 1), updated_at: new Date() }))
        .where('id', '=', modelId)
        .execute();
    },
  };
  return repo;
}
