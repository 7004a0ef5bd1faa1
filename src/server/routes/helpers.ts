import { PloydError } from '../../errors/index.ts';
import type { Page } from '../../sdk/index.ts';

/** A lookup that answers undefined for E_NOT_FOUND, so authorization can run before the 404. */
export async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof PloydError && err.code === 'E_NOT_FOUND') return undefined;
    throw err;
  }
}

export function versionOption(v: number | undefined): { resourceVersion?: number } {
  return v === undefined ? {} : { resourceVersion: v };
}

/** Keeps the items the caller may see; the cursor stays the SDK's, so paging continues correctly. */
export async function filterPage<T>(page: Page<T>, keep: (item: T) => Promise<boolean>): Promise<{ items: T[]; nextCursor?: string }> {
  const items: T[] = [];
  for (const item of page.items) if (await keep(item)) items.push(item);
  return page.nextCursor !== undefined ? { items, nextCursor: page.nextCursor } : { items };
}

/** Drops undefined values so optional SDK options stay absent (exactOptionalPropertyTypes). */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
