import type { Kysely } from 'kysely';
import { decodeCursor, json, pageLimit, toDate, toNumber, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

export interface AuditRecord {
  readonly id: number;
  readonly at: Date;
  readonly subject: string;
  readonly groups: string[];
  readonly via: string;
  readonly action: string;
  readonly resource: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly commit: string | null;
}

export interface NewAuditRecord {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly via: string;
  readonly action: string;
  readonly resource: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly commit?: string | undefined;
}

export interface AuditListQuery {
  readonly subject?: string | undefined;
  readonly action?: string | undefined;
  /** Prefix of the resource id. */
  readonly resource?: string | undefined;
  readonly via?: string | undefined;
  readonly since?: Date | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export interface AuditRepository {
  append(entry: NewAuditRecord): Promise<AuditRecord>;
  /** Newest first. */
  list(query: AuditListQuery): Promise<StorePage<AuditRecord>>;
}

function toRecord(r: Row<'audit_log'>): AuditRecord {
  return {
    id: toNumber(r.id),
    at: toDate(r.at),
    subject: r.subject,
    groups: r.groups,
    via: r.via,
    action: r.action,
    resource: r.resource,
    before: r.before ?? undefined,
    after: r.after ?? undefined,
    commit: r.commit,
  };
}

/** LIKE-escape so a `%` or `_` in a filter matches itself, not anything. */
function likePrefix(s: string): string {
  return `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function auditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async append(entry) {
      const row = await db
        .insertInto('audit_log')
        .values({
          subject: entry.subject,
          groups: json(entry.groups),
          via: entry.via,
          action: entry.action,
          resource: entry.resource,
          before: entry.before === undefined ? null : json(entry.before),
          after: entry.after === undefined ? null : json(entry.after),
          commit: entry.commit ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async list(query) {
      const limit = pageLimit(query.limit);
      let q = db.selectFrom('audit_log').selectAll();
      if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
      if (query.action !== undefined) q = q.where('action', '=', query.action);
      if (query.via !== undefined) q = q.where('via', '=', query.via);
      if (query.resource !== undefined) q = q.where('resource', 'like', likePrefix(query.resource));
      if (query.since !== undefined) q = q.where('at', '>=', query.since);
      if (query.cursor !== undefined) {
        const [id] = decodeCursor(query.cursor, 1);
        q = q.where('id', '<', Number(id));
      }
      const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
      return toPage(rows, limit, toRecord, (r) => [toNumber(r.id)]);
    },
  };
}
