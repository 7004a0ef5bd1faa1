import { z } from 'zod';

/**
 * Every list endpoint answers `{ items, nextCursor }` and takes `?limit&cursor`. Cursors come from
 * the SDK (keyset, opaque); the server passes them through. A list filtered by permission may
 * return fewer than `limit` items while `nextCursor` is set: follow it until it is absent.
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() });
}
