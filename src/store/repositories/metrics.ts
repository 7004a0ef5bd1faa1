import { sql, type Kysely } from 'kysely';
import { json, toDate } from '../cursor.ts';
import type { Database } from '../schema.ts';

export interface MetricRecord {
  readonly name: string;
  readonly value: number;
  readonly labels: Record<string, string>;
  readonly at: Date;
  readonly source: string;
}

export interface MetricQueryFilter {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly limit?: number | undefined;
}

export interface MetricRepository {
  insert(samples: readonly MetricRecord[]): Promise<number>;
  /** Oldest first; labels match by jsonb containment. */
  query(filter: MetricQueryFilter): Promise<MetricRecord[]>;
  /** Deletes samples older than `before` (retention). */
  prune(before: Date): Promise<number>;
}

export function metricRepository(db: Kysely<Database>): MetricRepository {
  return {
    async insert(samples) {
      if (samples.length === 0) return 0;
      await db
        .insertInto('metric_samples')
        .values(samples.map((s) => ({ name: s.name, value: s.value, labels: json(s.labels), at: s.at, source: s.source })))
        .execute();
      return samples.length;
    },

    async query(filter) {
      let q = db.selectFrom('metric_samples').select(['name', 'value', 'labels', 'at', 'source']).where('name', '=', filter.name);
      if (filter.labels && Object.keys(filter.labels).length > 0) q = q.where(sql<boolean>`labels @> ${json(filter.labels)}::jsonb`);
      if (filter.from !== undefined) q = q.where('at', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('at', '<=', filter.to);
      const rows = await q.orderBy('at').orderBy('id').limit(filter.limit ?? 10_000).execute();
      return rows.map((r) => ({ name: r.name, value: Number(r.value), labels: r.labels, at: toDate(r.at), source: r.source }));
    },

    async prune(before) {
      const r = await db.deleteFrom('metric_samples').where('at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
