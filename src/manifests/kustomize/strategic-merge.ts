import type { MergeSchema } from './merge-keys.ts';
import { isObject } from './resource.ts';

const DELETE = Symbol('delete');

function isDirectiveKey(k: string): boolean {
  return k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/');
}

/** Copy of patch content with merge directives removed; a `$patch: delete` map vanishes. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      if (isObject(item) && item['$patch'] === 'delete') continue;
      if (isObject(item) && item['$patch'] === 'replace' && Object.keys(item).length === 1) continue;
      out.push(clean(item));
    }
    return out;
  }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (isDirectiveKey(k) || x === null) continue;
      if (isObject(x) && x['$patch'] === 'delete') continue;
      out[k] = clean(x);
    }
    return out;
  }
  return v;
}

function mergeMap(dest: Record<string, unknown>, patch: Record<string, unknown>, schema: MergeSchema | undefined): unknown {
  if (patch['$patch'] === 'delete') return DELETE;
  if (patch['$patch'] === 'replace') return clean(patch);
  for (const [k, pv] of Object.entries(patch)) {
    if (isDirectiveKey(k)) continue;
    if (pv === null) {
      delete dest[k];
      continue;
    }
    if (Object.hasOwn(dest, k) && dest[k] !== null && dest[k] !== undefined) {
      const merged = mergeValue(dest[k], pv, schema?.fields?.[k]);
      if (merged === DELETE) delete dest[k];
      else dest[k] = merged;
    } else {
      if (isObject(pv) && pv['$patch'] === 'delete') continue;
      dest[k] = clean(pv);
    }
  }
  return dest;
}

function mergeList(dest: unknown[], patch: unknown[], schema: MergeSchema | undefined): unknown {
  if (schema?.primitiveMerge) {
    // kyaml: the patch's values first, then the target's values it does not repeat.
    const out = [...patch];
    for (const d of dest) if (!out.includes(d)) out.push(d);
    return out;
  }
  const key = schema?.mergeKey;
  // Lists without a merge key are replaced verbatim; kyaml even keeps directives inside them.
  if (key === undefined) return structuredClone(patch);
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace')) return clean(patch);
  const keyOf = (v: unknown): string | undefined => {
    if (!isObject(v)) return undefined;
    const k = v[key];
    if (typeof k === 'string') return k;
    return typeof k === 'number' || typeof k === 'boolean' ? String(k) : undefined;
  };
  // kyaml quirk: if a patch element lacks the merge key, the list becomes the patch's keyed
  // elements alone (observed with kubectl kustomize v5.5).
  if (patch.some((p) => isObject(p) && keyOf(p) === undefined)) {
    return patch.filter((p) => keyOf(p) !== undefined && !(isObject(p) && p['$patch'] === 'delete')).map(clean);
  }
  const destByKey = new Map<string, unknown>();
  for (const d of dest) {
    const k = keyOf(d);
    if (k !== undefined && !destByKey.has(k)) destByKey.set(k, d);
  }
  // kustomize (kyaml merge2) puts the patch's elements first, then the untouched ones.
  const out: unknown[] = [];
  const used = new Set<string>();
  const deleted = new Set<string>();
  for (const p of patch) {
    const k = keyOf(p);
    if (k === undefined) {
      out.push(clean(p));
      continue;
    }
    if (used.has(k) || deleted.has(k)) continue;
    if (isObject(p) && p['$patch'] === 'delete') {
      deleted.add(k);
      continue;
    }
    used.add(k);
    const d = destByKey.get(k);
    if (d !== undefined && isObject(d) && isObject(p)) {
      const merged = mergeMap(d, p, schema?.items);
      if (merged !== DELETE) out.push(merged);
    } else {
      out.push(clean(p));
    }
  }
  for (const d of dest) {
    const k = keyOf(d);
    if (k !== undefined && (used.has(k) || deleted.has(k))) continue;
    out.push(d);
  }
  return out;
}

function mergeValue(dest: unknown, patch: unknown, schema: MergeSchema | undefined): unknown {
  if (isObject(patch)) {
    if (isObject(dest)) return mergeMap(dest, patch, schema);
    if (patch['$patch'] === 'delete') return DELETE;
    return clean(patch);
  }
  if (Array.isArray(patch)) {
    if (Array.isArray(dest)) return mergeList(dest, patch, schema);
    return schema?.mergeKey === undefined ? structuredClone(patch) : clean(patch);
  }
  return patch;
}

/**
 * Applies a strategic-merge patch to `target` in place. Returns false when the patch deletes the
 * whole object (`$patch: delete` at the top).
 */
export function applyStrategicMerge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  schema: MergeSchema | undefined,
): boolean {
  return mergeMap(target, patch, schema) !== DELETE;
}
