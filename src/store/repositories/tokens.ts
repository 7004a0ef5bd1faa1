import type { Kysely } from 'kysely';
import { json, toDate, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';
import { listCredentials, revokeCredential } from './credentials.ts';

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly hash: string;
  readonly subject: string;
  readonly groups: string[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly createdBy: string;
  readonly resourceVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewToken = Omit<TokenRecord, 'revokedAt' | 'lastUsedAt' | 'resourceVersion' | 'createdAt' | 'updatedAt'>;

export interface TokenRepository {
  get(id: string): Promise<TokenRecord | undefined>;
  create(token: NewToken): Promise<TokenRecord>;
  list(query: { limit?: number | undefined; cursor?: string | undefined; includeRevoked?: boolean | undefined }): Promise<StorePage<TokenRecord>>;
  revoke(id: string, at: Date): Promise<{ before: TokenRecord; after: TokenRecord }>;
  /** Best effort; not audited (it is a read, recorded for the operator's benefit). */
  markUsed(id: string, at: Date): Promise<void>;
}

function toRecord(r: Row<'api_tokens'>): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    hash: r.hash,
    subject: r.subject,
    groups: r.groups,
    expiresAt: r.expires_at === null ? null : toDate(r.expires_at),
    revokedAt: r.revoked_at === null ? null : toDate(r.revoked_at),
    lastUsedAt: r.last_used_at === null ? null : toDate(r.last_used_at),
    createdBy: r.created_by,
    resourceVersion: r.resource_version,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export function tokenRepository(db: Kysely<Database>): TokenRepository {
  const repo: TokenRepository = {
    async get(id) {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async create(t) {
      const row = await db
        .insertInto('api_tokens')
        .values({ id: t.id, name: t.name, prefix: t.prefix, hash: t.hash, subject: t.subject, groups: json(t.groups), expires_at: t.expiresAt, created_by: t.createdBy })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    list: (query) => listCredentials(db, 'api_tokens', query, toRecord),

    revoke: (id, at) => revokeCredential(db, 'api_tokens', 'token', id, at, (i) => repo.get(i), toRecord),

    async markUsed(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
  return repo;
}
