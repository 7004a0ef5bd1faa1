import { createHash } from 'node:crypto';
import type { ModelDeployment } from '../../resources/index.ts';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Hash of what a replica process is made from. Replica count and scaling bounds are left out:
 * scaling must add or remove replicas, never replace the running ones.
 */
export function specHash(md: ModelDeployment): string {
  const { replicas: _r, scaling: _s, ...rest } = md.spec;
  return createHash('sha256').update(JSON.stringify(stable(rest))).digest('hex').slice(0, 16);
}
