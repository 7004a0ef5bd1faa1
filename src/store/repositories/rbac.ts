import type { Kysely } from 'kysely';
import { json, toDate } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import { casFailure } from './resources.ts';

export interface RbacRecord {
  readonly project: string;
  readonly lines: string[];
  readonly resourceVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RbacRepository {
  get(project: string): Promise<RbacRecord | undefined>;
  all(): Promise<RbacRecord[]>;
  /**
   * Replaces a project's lines. With expectedVersion: compare-and-set on an existing row
   * (E_CONFLICT when stale, E_NOT_FOUND when absent). Without: upsert, atomically.
   */
  put(project: string, lines: readonly string[], expectedVersion?: number): Promise<RbacRecord>;
  /** Cheap change detector for caches: the highest updated_at and the row count. */
  fingerprint(): Promise<string>;
}

function toRecord(r: Row<'rbac_policies'>): RbacRecord {
  return { project: r.project, lines: r.lines, resourceVersion: r.resource_version, createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at) };
}

export function rbacRepository(db: Kysely<Database>): RbacRepository {
  const repo: RbacRepository = {
    async get(project) {
      const row = await db.selectFrom('rbac_policies').selectAll().where('project', '=', project).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async all() {
      return (await db.selectFrom('rbac_policies').selectAll().orderBy('project').execute()).map(toRecord);
    },

    async put(project, lines, expectedVersion) {
      if (expectedVersion !== undefined) {
        const row = await db
          .updateTable('rbac_policies')
          .set((eb) => ({ lines: json(lines), resource_version: eb('resource_version', '+', 1), updated_at: new Date() }))
          .where('project', '=', project)
          .where('resource_version', '=', expectedVersion)
          .returningAll()
          .executeTakeFirst();
        if (row) return toRecord(row);
        const current = await repo.get(project);
        throw casFailure(`RBAC of project ${project}`, expectedVersion, current?.resourceVersion);
      }
      const row = await db
        .insertInto('rbac_policies')
        .values({ project, lines: json(lines) })
        .onConflict((oc) =>
          oc.column('project').doUpdateSet((eb) => ({
            lines: eb.ref('excluded.lines'),
            resource_version: eb('rbac_policies.resource_version', '+', 1),
            updated_at: new Date(),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async fingerprint() {
      const row = await db
        .selectFrom('rbac_policies')
        .select((eb) => [eb.fn.max('updated_at').as('max_at'), eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('resource_version').as('v')])
        .executeTakeFirstOrThrow();
      const at = row.max_at === null ? '' : toDate(row.max_at).toISOString();
      return `${at}|${String(row.n)}|${String(row.v ?? 0)}`;
    },
  };
  return repo;
}
