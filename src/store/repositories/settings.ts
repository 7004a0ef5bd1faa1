import type { Kysely } from 'kysely';
import { json } from '../cursor.ts';
import type { Database } from '../schema.ts';

export interface SettingsRepository {
  get(key: string): Promise<unknown>;
  /** Inserts only when absent; true when this call inserted (race-safe "first start" flag). */
  putIfAbsent(key: string, value: unknown): Promise<boolean>;
  put(key: string, value: unknown): Promise<void>;
}

export function settingsRepository(db: Kysely<Database>): SettingsRepository {
  return {
    async get(key) {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async putIfAbsent(key, value) {
      const row = await db
        .insertInto('settings')
        .values({ key, value: json(value) })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      return row !== undefined;
    },
    async put(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value: json(value) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: json(value), updated_at: new Date() }))
        .execute();
    },
  };
}
