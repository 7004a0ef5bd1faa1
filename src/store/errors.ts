import { PloydError, isPloydError } from '../errors/index.ts';

/** SQLSTATE classes we give a meaning to; everything else is E_STORE. */
const SQLSTATE: Readonly<Record<string, { code: 'E_ALREADY_EXISTS' | 'E_CONFLICT' | 'E_VALIDATION' | 'E_NOT_FOUND'; message: string }>> = {
  '23505': { code: 'E_ALREADY_EXISTS', message: 'already exists' },
  '23503': { code: 'E_NOT_FOUND', message: 'a referenced object does not exist' },
  '23514': { code: 'E_VALIDATION', message: 'a value violates a check constraint' },
  '23502': { code: 'E_VALIDATION', message: 'a required value is missing' },
  '22P02': { code: 'E_VALIDATION', message: 'a value has the wrong format' },
  '22001': { code: 'E_VALIDATION', message: 'a value is too long' },
  '22003': { code: 'E_VALIDATION', message: 'a number is out of range' },
  '40001': { code: 'E_CONFLICT', message: 'concurrent update; retry' },
  '40P01': { code: 'E_CONFLICT', message: 'deadlock with a concurrent update; retry' },
};

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  table?: unknown;
  detail?: unknown;
  message?: unknown;
}

/**
 * Maps a driver error (pg or PGlite, same SQLSTATE codes) to a PloydError. The Postgres message is
 * kept out of the user-facing message when it could echo values (details may contain data); the
 * constraint and table names are safe and useful.
 */
export function toStoreError(err: unknown): PloydError {
  if (isPloydError(err)) return err;
  const e = (err ?? {}) as PgLikeError;
  const sqlstate = typeof e.code === 'string' ? e.code : undefined;
  const mapped = sqlstate ? SQLSTATE[sqlstate] : undefined;
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined;
  const table = typeof e.table === 'string' ? e.table : undefined;
  if (mapped) {
    const where = constraint ? ` (${constraint})` : table ? ` (${table})` : '';
    return new PloydError(mapped.code, `${mapped.message}${where}`, { sqlstate, ...(constraint ? { constraint } : {}), ...(table ? { table } : {}) }, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PloydError('E_STORE', `store failure: ${message}`, sqlstate ? { sqlstate } : {}, { cause: err });
}

/** Wraps every method of a repository so any driver error leaves it as a coded PloydError. */
export function withErrorMapping<T extends object>(repo: T, guard?: () => void): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(repo)) {
    wrapped[key] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            guard?.();
            try {
              const fn = value as (...a: unknown[]) => Promise<unknown>;
              return await fn.apply(repo, args);
            } catch (err) {
              throw toStoreError(err);
            }
          }
        : value;
  }
  return wrapped as T;
}
