import type { Kysely } from 'kysely';
import { json, toDate } from '../cursor.ts';
import type { Database, Row } from '../schema.ts';

export interface UserRecord {
  readonly subject: string;
  readonly displayName: string | null;
  readonly groups: string[];
  readonly disabled: boolean;
  readonly resourceVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface UserRepository {
  get(subject: string): Promise<UserRecord | undefined>;
  /** Creates or replaces a user's groups and display name. */
  upsert(user: { subject: string; displayName?: string | null; groups: readonly string[]; disabled?: boolean }): Promise<UserRecord>;
  list(): Promise<UserRecord[]>;
}

const toRecord = (r: Row<'users'>): UserRecord => ({
  subject: r.subject,
  displayName: r.display_name,
  groups: r.groups,
  disabled: r.disabled,
  resourceVersion: r.resource_version,
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export function userRepository(db: Kysely<Database>): UserRepository {
  return {
    async get(subject) {
      const row = await db.selectFrom('users').selectAll().where('subject', '=', subject).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async upsert(u) {
      const values = { subject: u.subject, display_name: u.displayName ?? null, groups: json(u.groups), disabled: u.disabled ?? false };
      const row = await db
        .insertInto('users')
        .values(values)
        .onConflict((oc) =>
          oc.column('subject').doUpdateSet((eb) => ({
            display_name: eb.ref('excluded.display_name'),
            groups: eb.ref('excluded.groups'),
            disabled: eb.ref('excluded.disabled'),
            resource_version: eb('users.resource_version', '+', 1),
            updated_at: new Date(),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async list() {
      return (await db.selectFrom('users').selectAll().orderBy('subject').execute()).map(toRecord);
    },
  };
}
