import type { Kysely } from 'kysely';
import { PloydError } from '../../errors/index.ts';
import { decodeCursor, pageLimit, toDate, toPage, type StorePage } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

/**
 * API keys and control-API tokens are both hashed credentials with the same life cycle: listed by
 * creation time, revoked once. One implementation of both, parameterised by table.
 */
type CredentialTable = 'api_keys' | 'api_tokens';

export async function listCredentials<T extends CredentialTable, R>(
  db: Kysely<Database>,
  table: T,
  query: { limit?: number | undefined; cursor?: string | undefined; includeRevoked?: boolean | undefined },
  toRecord: (row: Row<T>) => R,
): Promise<StorePage<R>> {
  const limit = pageLimit(query.limit);
  // The two tables share these columns; Kysely cannot see that through a generic table name.
  const t = table as 'api_keys';
  let q = db.selectFrom(t).selectAll();
  if (!query.includeRevoked) q = q.where('revoked_at', 'is', null);
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, 2);
    const atDate = new Date(String(at));
    q = q.where((eb) => eb.or([eb('created_at', '>', atDate), eb.and([eb('created_at', '=', atDate), eb('id', '>', String(id))])]));
  }
  const rows = await q.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => toRecord(r as unknown as Row<T>), (r) => [toDate(r.created_at).toISOString(), r.id]);
}

/** Sets revoked_at once; revoking a revoked credential returns it unchanged. E_NOT_FOUND when absent. */
export async function revokeCredential<T extends CredentialTable, R extends { readonly revokedAt: Date | null }>(
  db: Kysely<Database>,
  table: T,
  what: string,
  id: string,
  at: Date,
  get: (id: string) => Promise<R | undefined>,
  toRecord: (row: Row<T>) => R,
): Promise<{ before: R; after: R }> {
  const before = await get(id);
  if (!before) throw new PloydError('E_NOT_FOUND', `${what} ${id} not found`, { id });
  if (before.revokedAt !== null) return { before, after: before };
  const row = (await db
    .updateTable(table as 'api_keys')
    .set((eb) => ({ revoked_at: at, resource_version: eb('resource_version', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst()) as Row<T> | undefined;
  return { before, after: row ? toRecord(row) : ((await get(id)) ?? before) };
}
