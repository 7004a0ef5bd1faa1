import type { Kysely } from 'kysely';
import { PloydError } from '../../errors/index.ts';
import { decodeCursor, json, pageLimit, toDate, toNumber, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import { casFailure } from './resources.ts';

export interface ApplicationRecord {
  readonly name: string;
  readonly project: string;
  readonly environment: string | null;
  readonly spec: unknown;
  readonly manifest: Record<string, unknown>;
  readonly syncStatus: string;
  readonly healthStatus: string;
  readonly revision: string | null;
  readonly operation: unknown;
  readonly resourceVersion: number;
  readonly hash: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ApplicationValues {
  readonly project: string;
  readonly environment: string | null;
  readonly spec: unknown;
  readonly manifest: Record<string, unknown>;
  readonly hash: string;
}

export interface ApplicationStatusValues {
  readonly syncStatus?: string;
  readonly healthStatus?: string;
  readonly revision?: string | null;
  readonly operation?: unknown;
}

export interface SyncHistoryRecord {
  readonly id: number;
  readonly application: string;
  readonly revision: string | null;
  readonly phase: string;
  readonly message: string | null;
  readonly initiatedBy: string;
  readonly resources: unknown[];
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

export interface ApplicationRepository {
  get(name: string): Promise<ApplicationRecord | undefined>;
  list(query: { project?: string; limit?: number; cursor?: string }): Promise<StorePage<ApplicationRecord>>;
  create(name: string, values: ApplicationValues): Promise<ApplicationRecord>;
  /** Creates many in one statement; names that already exist are skipped (not returned). */
  createMany(apps: readonly { name: string; values: ApplicationValues }[]): Promise<ApplicationRecord[]>;
  update(name: string, expectedVersion: number, values: ApplicationValues): Promise<ApplicationRecord>;
  /** Status is written by the controller alone; it bumps resourceVersion like any change. */
  setStatus(name: string, expectedVersion: number, status: ApplicationStatusValues): Promise<ApplicationRecord>;
  delete(name: string, expectedVersion?: number): Promise<ApplicationRecord>;
  startSync(entry: { application: string; revision: string | null; initiatedBy: string; phase?: string }): Promise<SyncHistoryRecord>;
  finishSync(id: number, result: { phase: string; message?: string | null; resources?: unknown[] }): Promise<SyncHistoryRecord>;
  /** Newest first, at most `limit` (default 10, Argo CD's revisionHistoryLimit). */
  history(application: string, limit?: number): Promise<SyncHistoryRecord[]>;
}

function toRecord(r: Row<'applications'>): ApplicationRecord {
  return {
    name: r.name,
    project: r.project,
    environment: r.environment,
    spec: r.spec,
    manifest: r.manifest as Record<string, unknown>,
    syncStatus: r.sync_status,
    healthStatus: r.health_status,
    revision: r.revision,
    operation: r.operation ?? undefined,
    resourceVersion: r.resource_version,
    hash: r.hash,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

function toHistory(r: Row<'sync_history'>): SyncHistoryRecord {
  return {
    id: toNumber(r.id),
    application: r.application,
    revision: r.revision,
    phase: r.phase,
    message: r.message,
    initiatedBy: r.initiated_by,
    resources: r.resources,
    startedAt: toDate(r.started_at),
    finishedAt: r.finished_at === null ? null : toDate(r.finished_at),
  };
}

export function applicationRepository(db: Kysely<Database>): ApplicationRepository {
  const repo: ApplicationRepository = {
    async get(name) {
      const row = await db.selectFrom('applications').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async list(query) {
      const limit = pageLimit(query.limit);
      let q = db.selectFrom('applications').selectAll();
      if (query.project !== undefined) q = q.where('project', '=', query.project);
      if (query.cursor !== undefined) q = q.where('name', '>', String(decodeCursor(query.cursor, 1)[0]));
      const rows = await q.orderBy('name').limit(limit + 1).execute();
      return toPage(rows, limit, toRecord, (r) => [r.name]);
    },

    async create(name, v) {
      const row = await db
        .insertInto('applications')
        .values({ name, project: v.project, environment: v.environment, spec: json(v.spec), manifest: json(v.manifest), hash: v.hash, sync_status: 'Unknown', health_status: 'Unknown' })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new PloydError('E_ALREADY_EXISTS', `Application ${name} already exists`, { resource: `Application/${name}` });
      return toRecord(row);
    },

    async createMany(apps) {
      if (apps.length === 0) return [];
      const rows = await db
        .insertInto('applications')
        .values(
          apps.map(({ name, values: v }) => ({
            name,
            project: v.project,
            environment: v.environment,
            spec: json(v.spec),
            manifest: json(v.manifest),
            hash: v.hash,
            sync_status: 'Unknown',
            health_status: 'Unknown',
          })),
        )
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .execute();
      return rows.map(toRecord);
    },

    async update(name, expectedVersion, v) {
      const row = await db
        .updateTable('applications')
        .set((eb) => ({
          project: v.project,
          environment: v.environment,
          spec: json(v.spec),
          manifest: json(v.manifest),
          hash: v.hash,
          resource_version: eb('resource_version', '+', 1),
          updated_at: new Date(),
        }))
        .where('name', '=', name)
        .where('resource_version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (row) return toRecord(row);
      throw casFailure(`Application ${name}`, expectedVersion, (await repo.get(name))?.resourceVersion);
    },

    async setStatus(name, expectedVersion, s) {
      const row = await db
        .updateTable('applications')
        .set((eb) => ({
          ...(s.syncStatus !== undefined ? { sync_status: s.syncStatus } : {}),
          ...(s.healthStatus !== undefined ? { health_status: s.healthStatus } : {}),
          ...(s.revision !== undefined ? { revision: s.revision } : {}),
          ...(s.operation !== undefined ? { operation: json(s.operation) } : {}),
          resource_version: eb('resource_version', '+', 1),
          updated_at: new Date(),
        }))
        .where('name', '=', name)
        .where('resource_version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (row) return toRecord(row);
      throw casFailure(`Application ${name}`, expectedVersion, (await repo.get(name))?.resourceVersion);
    },

    async delete(name, expectedVersion) {
      let q = db.deleteFrom('applications').where('name', '=', name);
      if (expectedVersion !== undefined) q = q.where('resource_version', '=', expectedVersion);
      const row = await q.returningAll().executeTakeFirst();
      if (row) return toRecord(row);
      throw casFailure(`Application ${name}`, expectedVersion ?? 0, (await repo.get(name))?.resourceVersion);
    },

    async startSync(e) {
      const row = await db
        .insertInto('sync_history')
        .values({ application: e.application, revision: e.revision, initiated_by: e.initiatedBy, phase: e.phase ?? 'Running', resources: json([]) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toHistory(row);
    },

    async finishSync(id, result) {
      const row = await db
        .updateTable('sync_history')
        .set({ phase: result.phase, message: result.message ?? null, ...(result.resources ? { resources: json(result.resources) } : {}), finished_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new PloydError('E_NOT_FOUND', `sync operation ${id} not found`, { id });
      return toHistory(row);
    },

    async history(application, limit = 10) {
      const rows = await db.selectFrom('sync_history').selectAll().where('application', '=', application).orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toHistory);
    },
  };
  return repo;
}
