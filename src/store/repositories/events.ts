import type { Kysely } from 'kysely';
import { decodeCursor, pageLimit, toDate, toNumber, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

export interface EventRecord {
  readonly id: number;
  readonly at: Date;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly kind: string | null;
  readonly namespace: string | null;
  readonly name: string | null;
  readonly source: string;
}

export type NewEvent = Omit<EventRecord, 'id' | 'at'> & { readonly at?: Date };

export interface EventRepository {
  append(event: NewEvent): Promise<EventRecord>;
  /** Newest first; optionally for one object. */
  list(query: { kind?: string; namespace?: string; name?: string; limit?: number; cursor?: string }): Promise<StorePage<EventRecord>>;
}

function toRecord(r: Row<'events'>): EventRecord {
  return {
    id: toNumber(r.id),
    at: toDate(r.at),
    type: r.type === 'Warning' ? 'Warning' : 'Normal',
    reason: r.reason,
    message: r.message,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    source: r.source,
  };
}

export function eventRepository(db: Kysely<Database>): EventRepository {
  return {
    async append(e) {
      const row = await db
        .insertInto('events')
        .values({ type: e.type, reason: e.reason, message: e.message, kind: e.kind, namespace: e.namespace, name: e.name, source: e.source, ...(e.at ? { at: e.at } : {}) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async list(query) {
      const limit = pageLimit(query.limit);
      let q = db.selectFrom('events').selectAll();
      if (query.kind !== undefined) q = q.where('kind', '=', query.kind);
      if (query.namespace !== undefined) q = q.where('namespace', '=', query.namespace);
      if (query.name !== undefined) q = q.where('name', '=', query.name);
      if (query.cursor !== undefined) q = q.where('id', '<', Number(decodeCursor(query.cursor, 1)[0]));
      const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
      return toPage(rows, limit, toRecord, (r) => [toNumber(r.id)]);
    },
  };
}
