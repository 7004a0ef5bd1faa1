import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

export interface UnknownField {
  readonly path: (string | number)[];
  readonly field: string;
  readonly suggestion?: string;
}

/** Edit distance, small and allocation-light: field names are short. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The closest known name, if it is close enough to be a likely typo. */
export function suggest(field: string, known: readonly string[]): string | undefined {
  const lower = field.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const score = k.toLowerCase() === lower ? 0 : levenshtein(lower, k.toLowerCase());
    if (score < bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(field.length / 3)) ? best : undefined;
}

const schemaCache = new WeakMap<z.ZodType, JsonSchema>();

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let js = schemaCache.get(schema);
  if (!js) {
    js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    schemaCache.set(schema, js);
  }
  return js;
}

function resolve(node: JsonSchema, root: JsonSchema): JsonSchema {
  let n = node;
  for (let i = 0; i < 16 && n.$ref; i++) {
    const name = n.$ref.replace(/^#\/\$defs\//, '');
    n = n.$ref === '#' ? root : (root.$defs?.[name] ?? {});
  }
  return n;
}

/** Object-typed alternatives of a node (unions yield several). */
function objectBranches(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  const n = resolve(node, root);
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return alts.flatMap((a) => objectBranches(a, root));
  if (n.allOf) return n.allOf.flatMap((a) => objectBranches(a, root));
  return n.properties || n.type === 'object' || n.additionalProperties !== undefined ? [n] : [];
}

function arrayItems(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  const n = resolve(node, root);
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return alts.flatMap((a) => arrayItems(a, root));
  return n.items ? [n.items] : [];
}

/** What walk() needs of an object-typed node, worked out once per node (30,000 resources share a few dozen). */
interface ObjectInfo {
  readonly branches: readonly JsonSchema[];
  /** Some branch is a record or loose object: every key is accepted. */
  readonly open: boolean;
  readonly known: ReadonlyMap<string, JsonSchema>;
  readonly knownKeys: readonly string[];
}

const objectInfoCache = new WeakMap<JsonSchema, ObjectInfo>();
const arrayItemsCache = new WeakMap<JsonSchema, JsonSchema[]>();

function objectInfo(node: JsonSchema, root: JsonSchema): ObjectInfo {
  let info = objectInfoCache.get(node);
  if (!info) {
    const branches = objectBranches(node, root);
    const open = branches.some((b) => typeof b.additionalProperties === 'object' || b.additionalProperties === true);
    const known = new Map<string, JsonSchema>();
    for (const b of branches) for (const [k, s] of Object.entries(b.properties ?? {})) if (!known.has(k)) known.set(k, s);
    info = { branches, open, known, knownKeys: [...known.keys()] };
    objectInfoCache.set(node, info);
  }
  return info;
}

function itemsOf(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  let items = arrayItemsCache.get(node);
  if (!items) {
    items = arrayItems(node, root);
    arrayItemsCache.set(node, items);
  }
  return items;
}

/** `path` is a stack shared by the whole walk; it is copied only into a finding. */
function walk(value: unknown, node: JsonSchema, root: JsonSchema, path: (string | number)[], out: UnknownField[]): void {
  if (Array.isArray(value)) {
    const items = itemsOf(node, root);
    if (items.length === 0) return;
    value.forEach((v, i) => {
      path.push(i);
      for (const it of items) walk(v, it, root, path, out);
      path.pop();
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const info = objectInfo(node, root);
  if (info.branches.length === 0) return;
  // Open objects (records, loose objects) accept any key.
  if (info.open) {
    for (const b of info.branches) {
      if (typeof b.additionalProperties === 'object') {
        for (const [k, v] of Object.entries(value)) {
          path.push(k);
          walk(v, b.properties?.[k] ?? b.additionalProperties, root, path, out);
          path.pop();
        }
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const child = info.known.get(k);
    if (child) {
      path.push(k);
      walk(v, child, root, path, out);
      path.pop();
    } else {
      const suggestion = suggest(k, info.knownKeys);
      out.push(suggestion === undefined ? { path: [...path, k], field: k } : { path: [...path, k], field: k, suggestion });
    }
  }
}

/** Fields in `value` that `schema` does not know, each with the likely intended name. */
export function findUnknownFields(schema: z.ZodType, value: unknown): UnknownField[] {
  const root = jsonSchemaOf(schema);
  const out: UnknownField[] = [];
  walk(value, root, root, [], out);
  return out;
}
