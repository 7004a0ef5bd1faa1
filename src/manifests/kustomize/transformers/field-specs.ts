import { isObject, splitApiVersion, type KObject } from '../resource.ts';

/** kustomize's FieldSpec: a slash path into resources of a (partially given) GVK. */
export interface FieldSpec {
  readonly group?: string | undefined;
  readonly version?: string | undefined;
  readonly kind?: string | undefined;
  readonly path: string;
  readonly create?: boolean | undefined;
}

export function fieldSpecSelects(fs: FieldSpec, obj: KObject): boolean {
  const { group, version } = splitApiVersion(obj['apiVersion']);
  if (fs.group !== undefined && fs.group !== '' && fs.group !== group) return false;
  if (fs.version !== undefined && fs.version !== '' && fs.version !== version) return false;
  if (fs.kind !== undefined && fs.kind !== '' && fs.kind !== obj['kind']) return false;
  return true;
}

const pathCache = new Map<string, string[]>();
/** Splits on `/` except where escaped as `\/` (annotation keys contain slashes). */
export function splitFieldPath(path: string): string[] {
  let segs = pathCache.get(path);
  if (!segs) {
    segs = path.split(/(?<!\\)\//).map((s) => s.replace(/\\\//g, '/'));
    pathCache.set(path, segs);
  }
  return segs;
}

/**
 * Visits the leaf fields a path names. Lists met on the way are walked element by element, as
 * kustomize does; with `create`, missing intermediate maps are created.
 */
export function visitField(
  node: unknown,
  segs: readonly string[],
  create: boolean,
  onLeaf: (parent: Record<string, unknown>, key: string) => void,
  i = 0,
): void {
  if (Array.isArray(node)) {
    for (const el of node) visitField(el, segs, create, onLeaf, i);
    return;
  }
  if (!isObject(node)) return;
  const seg = segs[i] as string;
  const isLast = i === segs.length - 1;
  if (seg.endsWith('[]')) {
    const v = node[seg.slice(0, -2)];
    if (!Array.isArray(v)) return;
    if (isLast) return;
    for (const el of v) visitField(el, segs, create, onLeaf, i + 1);
    return;
  }
  if (isLast) {
    onLeaf(node, seg);
    return;
  }
  let next = node[seg];
  if (next === undefined || next === null) {
    if (!create) return;
    next = {};
    node[seg] = next;
  }
  visitField(next, segs, create, onLeaf, i + 1);
}

/** Applies `onLeaf` for every field spec selecting `obj`. */
export function applyFieldSpecs(
  obj: KObject,
  specs: readonly FieldSpec[],
  onLeaf: (parent: Record<string, unknown>, key: string, fs: FieldSpec) => void,
): void {
  for (const fs of specs) {
    if (!fieldSpecSelects(fs, obj)) continue;
    visitField(obj, splitFieldPath(fs.path), fs.create === true, (p, k) => onLeaf(p, k, fs));
  }
}

/** Sets string entries into the map at each leaf (labels, annotations, selectors). */
export function setMapEntries(obj: KObject, specs: readonly FieldSpec[], entries: Readonly<Record<string, string>>): void {
  applyFieldSpecs(obj, specs, (parent, key, fs) => {
    let m = parent[key];
    if (m === undefined || m === null) {
      if (!fs.create) return;
      m = {};
      parent[key] = m;
    }
    if (!isObject(m)) return;
    for (const [k, v] of Object.entries(entries)) m[k] = v;
  });
}
