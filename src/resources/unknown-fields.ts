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

function walk(value: unknown, node: JsonSchema, root: JsonSchema, path: (string | number)[], out: UnknownField[]): void {
  if (Array.isArray(value)) {
    const items = arrayItems(node, root);
    if (items.length === 0) return;
    value.forEach((v, i) => {
      for (const it of items) walk(v, it, root, [...path, i], out);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const branches = objectBranches(node, root);
  if (branches.length === 0) return;
  // Open objects (records, loose objects) accept any key.
  if (branches.some((b) => typeof b.additionalProperties === 'object' || b.additionalProperties === true)) {
    for (const b of branches) {
      if (typeof b.additionalProperties === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, b.properties?.[k] ?? b.additionalProperties, root, [...path, k], out);
      }
    }
    return;
  }
  const known = new Map<string, JsonSchema>();
  for (const b of branches) for (const [k, s] of Object.entries(b.properties ?? {})) if (!known.has(k)) known.set(k, s);
  for (const [k, v] of Object.entries(value)) {
    const child = known.get(k);
    if (child) walk(v, child, root, [...path, k], out);
    else {
      const suggestion = suggest(k, [...known.keys()]);
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
