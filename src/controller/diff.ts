import { globMatch } from './project-check.ts';

/**
 * Structural diff of desired (Git) against live (SDK) resources, as `ployd app diff` shows it and
 * as sync status is computed: pure functions over plain JSON.
 */

export interface ResourceKey {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface FieldChange {
  /** JSON pointer (`/spec/models/0/weight`). */
  readonly path: string;
  readonly desired?: Json;
  readonly live?: Json;
}

export type DiffState = 'added' | 'removed' | 'modified' | 'unchanged';

export interface ResourceDiff {
  readonly key: ResourceKey;
  readonly state: DiffState;
  readonly changes: readonly FieldChange[];
  /** Of a removed resource, its live annotations: its sync wave and sync options come from there. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Argo CD's ignoreDifferences: JSON pointers ignored for matching resources. `group` and `kind`
 * are globs (`""` is the core group); `name` and `namespace` match exactly when given.
 */
export interface IgnoreRule {
  readonly group: string;
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly jsonPointers: readonly string[];
}

/** The API group of the kinds compared here (ModelDeployment, GatewayRoute, Policy). */
export const PLOYD_GROUP = 'ployd.ai';

export function keyString(k: ResourceKey): string {
  return `${k.kind}/${k.namespace}/${k.name}`;
}

function escapePointer(seg: string | number): string {
  return String(seg).replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Field-level differences; arrays compare by index, as a user reads a YAML list. */
export function diffValues(desired: Json | undefined, live: Json | undefined, path = '', out: FieldChange[] = []): FieldChange[] {
  if (isObject(desired) && isObject(live)) {
    for (const k of new Set([...Object.keys(desired), ...Object.keys(live)])) diffValues(desired[k], live[k], `${path}/${escapePointer(k)}`, out);
    return out;
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const n = Math.max(desired.length, live.length);
    for (let i = 0; i < n; i++) diffValues(desired[i], live[i], `${path}/${i}`, out);
    return out;
  }
  if (desired === undefined && live === undefined) return out;
  if (JSON.stringify(desired) !== JSON.stringify(live)) {
    out.push({ path: path || '/', ...(desired !== undefined ? { desired } : {}), ...(live !== undefined ? { live } : {}) });
  }
  return out;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Removes the fields named by JSON pointers (a copy; the input is not changed). */
export function withoutPointers(value: Json, pointers: readonly string[]): Json {
  if (pointers.length === 0) return value;
  const copy = structuredClone(value);
  for (const p of pointers) {
    const segs = p.split('/').slice(1).map(unescapePointer);
    const last = segs.pop();
    if (last === undefined) continue;
    let node: Json | undefined = copy;
    for (const s of segs) node = Array.isArray(node) ? node[Number(s)] : isObject(node) ? node[s] : undefined;
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else if (isObject(node)) delete node[last];
  }
  return copy;
}

function ignoredPointers(key: ResourceKey, group: string, rules: readonly IgnoreRule[]): string[] {
  return rules
    .filter((r) => globMatch(r.group, group) && globMatch(r.kind, key.kind) && (r.name === undefined || r.name === key.name) && (r.namespace === undefined || r.namespace === key.namespace))
    .flatMap((r) => r.jsonPointers);
}

/**
 * Compares desired and live resources by key. Both sides should already be normalised the same
 * way (schema defaults applied, server-owned fields removed) so that equal intent compares equal.
 */
export function diffResources(
  desired: ReadonlyMap<string, { key: ResourceKey; value: Json; group?: string }>,
  live: ReadonlyMap<string, { key: ResourceKey; value: Json }>,
  ignore: readonly IgnoreRule[] = [],
): ResourceDiff[] {
  const out: ResourceDiff[] = [];
  for (const [k, d] of desired) {
    const l = live.get(k);
    if (!l) {
      out.push({ key: d.key, state: 'added', changes: [] });
      continue;
    }
    const pointers = ignoredPointers(d.key, d.group ?? PLOYD_GROUP, ignore);
    const changes = diffValues(withoutPointers(d.value, pointers), withoutPointers(l.value, pointers));
    out.push({ key: d.key, state: changes.length > 0 ? 'modified' : 'unchanged', changes });
  }
  for (const [k, l] of live) {
    if (desired.has(k)) continue;
    const meta = isObject(l.value) ? l.value.metadata : undefined;
    const annotations = isObject(meta) && isObject(meta.annotations) ? (meta.annotations as Record<string, string>) : undefined;
    out.push({ key: l.key, state: 'removed', changes: [], ...(annotations ? { annotations } : {}) });
  }
  return out.sort((a, b) => keyString(a.key).localeCompare(keyString(b.key)));
}

/** Synced when nothing is added, removed or modified. */
export function syncStatusOf(diffs: readonly ResourceDiff[]): 'Synced' | 'OutOfSync' {
  return diffs.every((d) => d.state === 'unchanged') ? 'Synced' : 'OutOfSync';
}
