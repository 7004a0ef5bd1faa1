import { PloydError } from '../errors/index.ts';

/** Keyset pagination: a cursor is the sort key of the last item, base64url JSON, opaque to callers. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === arity && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return value;
    }
  } catch {
    // fall through to the coded error
  }
  throw new PloydError('E_VALIDATION', 'invalid pagination cursor', { issues: [{ path: ['cursor'], message: 'not a cursor returned by a previous page' }] });
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new PloydError('E_VALIDATION', `limit must be an integer 1..${MAX_LIMIT}`, { issues: [{ path: ['limit'], message: `must be 1..${MAX_LIMIT}` }] });
  }
  return limit;
}

export interface StorePage<T> {
  items: T[];
  nextCursor?: string;
}

/** Given limit+1 fetched rows, the page and the cursor of its last item when more follow. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => (string | number)[]): StorePage<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return more && last !== undefined ? { items: items.map(map), nextCursor: encodeCursor(key(last)) } : { items: items.map(map) };
}

/** json columns: always stringified, so `pg` never turns a JS array into a Postgres array literal. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function toNumber(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

export function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}
