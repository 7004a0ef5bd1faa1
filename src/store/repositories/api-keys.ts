import type { Kysely } from 'kysely';
import { PloydError } from '../../errors/index.ts';
import { decodeCursor, json, pageLimit, toDate, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  /** sha256 hex of the full key. */
  readonly hash: string;
  readonly routes: string[];
  readonly tiers: string[];
  readonly rpm: number | null;
  readonly tpm: number | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdBy: string;
  readonly resourceVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewApiKey = Omit<ApiKeyRecord, 'revokedAt' | 'resourceVersion' | 'createdAt' | 'updatedAt'>;

export interface ApiKeyRepository {
  get(id: string): Promise<ApiKeyRecord | undefined>;
  create(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Ordered by creation, oldest first. */
  list(query: { limit?: number | undefined; cursor?: string | undefined; includeRevoked?: boolean | undefined }): Promise<StorePage<ApiKeyRecord>>;
  /** Sets revoked_at once; revoking a revoked key returns it unchanged. E_NOT_FOUND when absent. */
  revoke(id: string, at: Date): Promise<{ before: ApiKeyRecord; after: ApiKeyRecord }>;
}

function toRecord(r: Row<'api_keys'>): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    hash: r.hash,
    routes: r.routes,
    tiers: r.tiers,
    rpm: r.rpm,
    tpm: r.tpm,
    expiresAt: r.expires_at === null ? null : toDate(r.expires_at),
    revokedAt: r.revoked_at === null ? null : toDate(r.revoked_at),
    createdBy: r.created_by,
    resourceVersion: r.resource_version,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export function apiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  const repo: ApiKeyRepository = {
    async get(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async create(key) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          name: key.name,
          prefix: key.prefix,
          hash: key.hash,
          routes: json(key.routes),
          tiers: json(key.tiers),
          rpm: key.rpm,
          tpm: key.tpm,
          expires_at: key.expiresAt,
          created_by: key.createdBy,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async list(query) {
      const limit = pageLimit(query.limit);
      let q = db.selectFrom('api_keys').selectAll();
      if (!query.includeRevoked) q = q.where('revoked_at', 'is', null);
      if (query.cursor !== undefined) {
        const [at, id] = decodeCursor(query.cursor, 2);
        const atDate = new Date(String(at));
        q = q.where((eb) => eb.or([eb('created_at', '>', atDate), eb.and([eb('created_at', '=', atDate), eb('id', '>', String(id))])]));
      }
      const rows = await q.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
      return toPage(rows, limit, toRecord, (r) => [toDate(r.created_at).toISOString(), r.id]);
    },

    async revoke(id, at) {
      const before = await repo.get(id);
      if (!before) throw new PloydError('E_NOT_FOUND', `API key ${id} not found`, { id });
      if (before.revokedAt !== null) return { before, after: before };
      const row = await db
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: at, resource_version: eb('resource_version', '+', 1), updated_at: at }))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return { before, after: row ? toRecord(row) : ((await repo.get(id)) ?? before) };
    },
  };
  return repo;
}
