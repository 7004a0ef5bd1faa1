import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PloydError } from '../errors/index.ts';
import { rootLogger, type Logger } from '../log/index.ts';
import { toStoreError } from './errors.ts';
import { InCodeMigrationProvider, MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './migrations.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { createPGlite } from './pglite-template.ts';
import type { Database } from './schema.ts';
import { bindRepositories, type MigrationInfo, type Store, type StoreBackend } from './store.ts';

export interface OpenStoreOptions {
  /** A Postgres URL; default `PLOYD_DATABASE_URL`. When absent, PGlite is used. */
  readonly url?: string;
  /** PGlite data directory (default `.ployd/data`), or `memory://` for an in-memory database. */
  readonly dataDir?: string;
  /**
   * Postgres schema to use (created if missing); default `PLOYD_DATABASE_SCHEMA` or `public`.
   * Tests use a random one so parallel runs do not collide.
   */
  readonly schema?: string;
  /**
   * An already-created PGlite instance to use instead of opening one (embedding, tests). The
   * caller keeps ownership: close() does not close it.
   */
  readonly pglite?: PGlite;
  /** Pool size for Postgres (default 10). */
  readonly poolSize?: number;
  readonly logger?: Logger;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Postgres settings for the embedded database. shared_buffers defaults to 128 MB, and PGlite's
 * WebAssembly memory keeps every page it ever touched: with 16 MB the process stays ~300 MB
 * smaller (measured, docs/performance.md "1,000 applications"). The data already lives in memory
 * (PGlite's file system), so a smaller buffer pool costs copies, not disk reads.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/**
 * Opens the store and applies pending migrations. Postgres when a URL is given (or
 * `PLOYD_DATABASE_URL` is set), else embedded PGlite in `dataDir`.
 *
 * @example
 * const store = await openStore({ dataDir: 'memory://' });
 * try { await store.resources.listAll('ModelDeployment'); } finally { await store.close(); }
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const log = (options.logger ?? rootLogger()).child({ component: 'store' });
  const url = options.url ?? process.env.PLOYD_DATABASE_URL;
  const schema = options.schema ?? process.env.PLOYD_DATABASE_SCHEMA ?? 'public';
  if (!SCHEMA_RE.test(schema)) {
    throw new PloydError('E_VALIDATION', `invalid database schema name ${JSON.stringify(schema)}`, { issues: [{ path: ['schema'], message: 'must match [a-z_][a-z0-9_]*' }] });
  }

  let db: Kysely<Database>;
  let backend: StoreBackend;
  let closeBackend: () => Promise<void>;

  if (url && !options.pglite) {
    backend = 'postgres';
    // search_path per connection, set at connect time: every pooled connection sees the same schema.
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, options: `-c search_path=${schema}` });
    pool.on('error', (err) => log.warn({ err: err.message }, 'idle Postgres connection failed'));
    try {
      const client = await pool.connect();
      try {
        await client.query(`create schema if not exists "${schema}"`);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new PloydError('E_STORE', `cannot connect to Postgres: ${(err as Error).message}`, { backend }, { cause: err });
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    closeBackend = async () => {
      await db.destroy();
    };
  } else {
    backend = 'pglite';
    const dataDir = options.dataDir ?? '.ployd/data';
    const memory = dataDir === 'memory://' || dataDir.startsWith('memory://');
    let pglite: PGlite;
    const owned = options.pglite === undefined;
    try {
      if (!memory && owned) await mkdir(resolve(dataDir), { recursive: true });
      const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS];
      pglite = options.pglite ?? (await createPGlite(memory ? dataDir : resolve(dataDir), startParams, log));
    } catch (err) {
      throw new PloydError('E_STORE', `cannot open the embedded database in ${dataDir}: ${(err as Error).message}`, { backend, dataDir }, { cause: err });
    }
    if (schema !== 'public') {
      await pglite.exec(`create schema if not exists "${schema}"; set search_path to "${schema}"`);
    }
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    closeBackend = async () => {
      await db.destroy();
      if (owned) await pglite.close();
    };
  }

  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await closeBackend().catch(() => undefined);
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new PloydError('E_MIGRATION', `migration ${failed ?? '?'} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, failed ? { migration: failed } : {}, { cause: error });
  }
  for (const r of results ?? []) log.info({ migration: r.migrationName, status: r.status }, 'migration applied');

  // Using the store's own repositories inside a transaction callback would run outside the
  // transaction (Postgres: not atomic) or wait for it forever (PGlite: one session). Refuse it.
  const inTransaction = new AsyncLocalStorage<boolean>();
  const repos = bindRepositories(db, () => {
    if (inTransaction.getStore()) {
      throw new PloydError('E_INTERNAL', 'store used outside its transaction: inside store.transaction(fn) use the repositories passed to fn');
    }
  });
  let closed = false;

  const store: Store = {
    ...repos,
    backend,
    schema,
    async transaction(fn) {
      try {
        return await db.transaction().execute((trx) => inTransaction.run(true, () => fn(bindRepositories(trx))));
      } catch (err) {
        throw toStoreError(err);
      }
    },
    async migrations(): Promise<MigrationInfo[]> {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt !== undefined).map((m) => ({ name: m.name, ...(m.executedAt ? { executedAt: m.executedAt } : {}) }));
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeBackend();
    },
  };
  // Touch the connection once so a wrong URL fails here, not at first use.
  await sql`select 1`.execute(db).catch((err: unknown) => {
    throw toStoreError(err);
  });
  return store;
}
