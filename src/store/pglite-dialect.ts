import { protocol, type PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { affectedRows, decodeResponse, encodeCloseStatement, encodeExtendedQuery, type WireParam, type WireResult } from './pglite-wire.ts';

/**
 * A Kysely dialect over PGlite. PGlite is one Postgres backend in-process: a single session. Kysely
 * assumes a pool and holds a connection for the length of a transaction, so this driver hands out
 * that one session to one holder at a time (a FIFO mutex). Two concurrent transactions therefore
 * run one after the other instead of interleaving their statements in one session, which would
 * silently merge them. Queries outside a transaction take and release the session per statement.
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#pglite);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

/** FIFO mutex: acquire resolves with a release function. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

/** Statements kept prepared per session; more distinct texts evict the least recently used. */
const STATEMENT_CACHE_SIZE = 100;
/** Statement names unique in the process: several stores may share one PGlite session. */
let statementCounter = 0;

/** Query kinds whose plan is worth keeping: the statements an application repeats. */
const CACHEABLE_KINDS = new Set(['SelectQueryNode', 'InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);
const CACHEABLE_RAW = /^\s*(select|insert|update|delete|with)\b/i;
/** Statements that change no schema: running them keeps the prepared statements valid. */
const NOT_DDL = /^\s*(begin|start|commit|end|rollback|savepoint|release|set\s+(local\s+)?transaction|select|insert|update|delete|with|show|explain|lock)\b/i;

/**
 * Parameters as node-postgres would send them, when that is exactly what PGlite's query() would
 * send too: strings, finite numbers, bigints, booleans ('true'/'false' reads the same as PGlite's
 * 't'/'f' for a boolean and is its text for text), Dates (ISO 8601, PGlite's serializer for
 * timestamps and text) and null. Anything else (objects, arrays, bytes: their encoding depends on
 * the parameter type the server infers) returns undefined and the statement takes PGlite's
 * query(), which asks the server for the types first.
 */
function textParams(params: readonly unknown[]): WireParam[] | undefined {
  const out: WireParam[] = [];
  for (const p of params) {
    if (p === null || p === undefined) out.push(null);
    else if (typeof p === 'string') out.push(p);
    else if (typeof p === 'number') {
      if (!Number.isFinite(p)) return undefined;
      out.push(String(p));
    } else if (typeof p === 'bigint') out.push(p.toString());
    else if (typeof p === 'boolean') out.push(p ? 'true' : 'false');
    else if (p instanceof Date) {
      if (Number.isNaN(p.getTime())) return undefined;
      out.push(p.toISOString());
    } else return undefined;
  }
  return out;
}

/** PGlite's error for a failed statement, decoded by its own protocol parser so it is the same object query() throws. */
function databaseError(data: Uint8Array, sql: string, params: readonly unknown[]): Error {
  let found: Error | undefined;
  new protocol.Parser().parse(data, (msg) => {
    if (!found && msg instanceof protocol.messages.DatabaseError) found = msg;
  });
  if (!found) return new Error('PGlite reported an error the protocol parser did not decode');
  // What PGlite's query() adds (makePGliteError).
  return Object.assign(found, { query: sql, params: [...params], queryOptions: undefined });
}

/**
 * Sends one message to the backend and returns its whole response. Through execProtocolRawStream:
 * execProtocolRaw also runs every reply through PGlite's own protocol parser and keeps the parsed
 * messages (for execProtocol's caller), which nothing resets on this path — per statement, work
 * this dialect does not need and memory it would never get back.
 */
async function exchange(pglite: PGlite, message: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pglite.execProtocolRawStream(message, {
    // A view into WebAssembly memory, reused by the next write: copied.
    onRawData: (bytes: Uint8Array) => void chunks.push(Buffer.from(bytes)),
  });
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

const isCachedPlanChanged = (err: unknown): boolean => (err as { code?: unknown }).code === '0A000' && /cached plan must not change result type/.test((err as Error).message);

/**
 * The session's one connection. Statements go to PGlite's backend in one protocol round each
 * (pglite-wire.ts) and the ones an application repeats stay prepared under a name, so their
 * parse and analysis are done once (a primary-key select: ~390 → ~230 µs measured). Prepared
 * statements are plain Postgres: the server re-plans them when a table they use changes; the
 * one change it refuses (`select *` over a table whose columns changed: 0A000) drops the
 * statement and, outside a transaction, runs it again once. DDL sent through this dialect
 * (migrations) drops every prepared statement first.
 */
class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  /** SQL text → statement name, least recently used first. */
  readonly #statements = new Map<string, string>();

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const command = compiled.query.kind;
    const mutating = command === 'InsertQueryNode' || command === 'UpdateQueryNode' || command === 'DeleteQueryNode' || command === 'MergeQueryNode';
    const params = textParams(compiled.parameters);
    if (!params) {
      const result = await this.#pglite.query<R>(compiled.sql, [...compiled.parameters]);
      return { rows: result.rows, ...(mutating && result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}) };
    }
    const cacheable = CACHEABLE_KINDS.has(command) || (command === 'RawNode' && CACHEABLE_RAW.test(compiled.sql));
    if (!cacheable && !NOT_DDL.test(compiled.sql)) await this.#dropStatements();
    let wire: WireResult;
    try {
      wire = await this.#run(compiled.sql, params, compiled.parameters, cacheable);
    } catch (err) {
      if (!cacheable || !isCachedPlanChanged(err) || this.#pglite.isInTransaction()) throw err;
      wire = await this.#run(compiled.sql, params, compiled.parameters, cacheable);
    }
    // PGlite's parser for each column's type (its query() looks them up the same way), once per result.
    const parsers = this.#pglite.parsers;
    const fields = wire.fields;
    const names = fields.map((f) => f.name);
    const parse = fields.map((f) => {
      const fn = parsers[f.dataTypeID];
      return fn ? (v: string): unknown => fn(v, f.dataTypeID) as unknown : undefined;
    });
    const rows = wire.rows.map((values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const v = values[i] ?? null;
        const fn = parse[i];
        row[names[i] as string] = v === null ? null : fn ? fn(v) : v;
      }
      return row as R;
    });
    return { rows, ...(mutating ? { numAffectedRows: BigInt(affectedRows(wire.commandTag)) } : {}) };
  }

  async #run(sql: string, params: WireParam[], original: readonly unknown[], cacheable: boolean): Promise<WireResult> {
    const pglite = this.#pglite;
    await pglite._checkReady();
    // The same two locks PGlite's query() takes: exclusive with its other users (exec, transaction).
    return await pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(async () => {
        let name = '';
        let prepared = false;
        if (cacheable) {
          const known = this.#statements.get(sql);
          if (known !== undefined) {
            name = known;
            prepared = true;
            this.#statements.delete(sql); // re-inserted below: most recently used last
            this.#statements.set(sql, name);
          } else {
            name = `ployd_stmt_${++statementCounter}`;
          }
        }
        const data = await exchange(pglite, encodeExtendedQuery(name, params, prepared ? undefined : { sql }));
        const wire = decodeResponse(data);
        if (cacheable && !prepared && wire.parsed) {
          this.#statements.set(sql, name);
          if (this.#statements.size > STATEMENT_CACHE_SIZE) {
            const [oldSql, oldName] = this.#statements.entries().next().value as [string, string];
            this.#statements.delete(oldSql);
            await exchange(pglite, encodeCloseStatement(oldName));
          }
        }
        if (wire.error) {
          const err = databaseError(data, sql, original);
          if (prepared && isCachedPlanChanged(err)) {
            this.#statements.delete(sql);
            await exchange(pglite, encodeCloseStatement(name));
          }
          throw err;
        }
        return wire;
      }),
    );
  }

  /** Closes every statement this connection prepared (before DDL; on destroy). */
  async #dropStatements(): Promise<void> {
    if (this.#statements.size === 0 || this.#pglite.closed) return;
    const names = [...this.#statements.values()];
    this.#statements.clear();
    const pglite = this.#pglite;
    await pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(async () => {
        for (const name of names) await exchange(pglite, encodeCloseStatement(name));
      }),
    );
  }

  async close(): Promise<void> {
    await this.#dropStatements();
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite;
  readonly #mutex = new Mutex();
  readonly #connection: PGliteConnection;
  #release: (() => void) | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.acquire();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${level}${mode}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    // The owner of the PGlite instance closes it (openStore), after Kysely is done with it; an
    // instance the caller keeps is left without this store's prepared statements.
    await this.#connection.close();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
