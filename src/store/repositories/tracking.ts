import type { Kysely } from 'kysely';
import { toDate } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

export interface TrackingRecord {
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly environment: string;
  readonly deployment: string | null;
  readonly commit: string | null;
  readonly deployedBy: string;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
}

export interface NewTracking {
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly environment: string;
  readonly deployment?: string | undefined;
  readonly commit?: string | undefined;
  readonly deployedBy: string;
  readonly at: Date;
}

export interface TrackingRepository {
  /** The open span of a model in an environment. */
  current(model: string, environment: string): Promise<TrackingRecord | undefined>;
  /** Closes the open span (if any) at `at` and opens a new one: lineage is a chain of spans. */
  start(entry: NewTracking): Promise<{ started: TrackingRecord; ended?: TrackingRecord }>;
  /** Newest first. */
  history(model: string, filter: { environment?: string | undefined; version?: string | undefined }): Promise<TrackingRecord[]>;
}

function toRecord(r: Row<'deployment_tracking'>): TrackingRecord {
  return {
    id: r.id,
    model: r.model,
    version: r.version,
    environment: r.environment,
    deployment: r.deployment,
    commit: r.commit,
    deployedBy: r.deployed_by,
    startedAt: toDate(r.started_at),
    endedAt: r.ended_at === null ? null : toDate(r.ended_at),
  };
}

export function trackingRepository(db: Kysely<Database>): TrackingRepository {
  return {
    async current(model, environment) {
      const row = await db
        .selectFrom('deployment_tracking')
        .selectAll()
        .where('model', '=', model)
        .where('environment', '=', environment)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async start(entry) {
      const ended = await db
        .updateTable('deployment_tracking')
        .set({ ended_at: entry.at })
        .where('model', '=', entry.model)
        .where('environment', '=', entry.environment)
        .where('ended_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      const started = await db
        .insertInto('deployment_tracking')
        .values({
          id: entry.id,
          model: entry.model,
          version: entry.version,
          environment: entry.environment,
          deployment: entry.deployment ?? null,
          commit: entry.commit ?? null,
          deployed_by: entry.deployedBy,
          started_at: entry.at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return ended ? { started: toRecord(started), ended: toRecord(ended) } : { started: toRecord(started) };
    },

    async history(model, filter) {
      let q = db.selectFrom('deployment_tracking').selectAll().where('model', '=', model);
      if (filter.environment !== undefined) q = q.where('environment', '=', filter.environment);
      if (filter.version !== undefined) q = q.where('version', '=', filter.version);
      const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map(toRecord);
    },
  };
}
