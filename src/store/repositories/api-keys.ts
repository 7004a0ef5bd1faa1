import type { Kysely } from 'kysely';
import { json, toDate, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import { listCredentials, revokeCredential } from './credentials.ts';

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

    list: (query) => listCredentials(db, 'api_keys', query, toRecord),

    revoke: (id, at) => revokeCredential(db, 'api_keys', 'API key', id, at, (i) => repo.get(i), toRecord),
  };
  return repo;
}
