import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';

/** The backends every store test runs on: PGlite always, Postgres when PLOYD_TEST_DATABASE_URL is set. */
export interface Backend {
  readonly name: 'pglite' | 'postgres';
  readonly available: boolean;
  /** Opens a store on a fresh database (PGlite) or a fresh schema (Postgres). */
  open(): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>;
}

const PG_URL = process.env.PLOYD_TEST_DATABASE_URL;

export const BACKENDS: readonly Backend[] = [
  {
    name: 'pglite',
    available: true,
    async open() {
      // In memory; "re-open" opens a second store over the same database (migrations run again).
      const pglite = await PGlite.create('memory://');
      const store = await openStore({ pglite });
      return {
        store,
        reopen: () => openStore({ pglite }),
        cleanup: () => pglite.close(),
      };
    },
  },
  {
    name: 'postgres',
    available: PG_URL !== undefined && PG_URL !== '',
    async open() {
      const url = PG_URL ?? '';
      const schema = `ployd_test_${randomBytes(6).toString('hex')}`;
      const store = await openStore({ url, schema, poolSize: 25 });
      return {
        store,
        reopen: () => openStore({ url, schema }),
        async cleanup() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(`drop schema if exists "${schema}" cascade`);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];
