import { deepClone, isObject } from './resource.ts';

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** Splits a JSON pointer, undoing `~1` then `~0` as RFC 6901 requires. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${pointer} must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forAdd: boolean): number {
  if (token === '-' && forAdd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`invalid array index ${token}`);
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) throw new Error(`array index ${token} out of bounds`);
  return i;
}

function parentOf(doc: unknown, tokens: string[], pointer: string): unknown {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new Error(`doc is missing path: ${pointer}`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new Error(`doc is missing path: ${pointer}`);
  return cur;
}

function get(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const t of parsePointer(pointer)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new Error(`doc is missing path: ${pointer}`);
  }
  return cur;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else (parent as Record<string, unknown>)[last] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new Error('cannot remove the whole document');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else {
    const p = parent as Record<string, unknown>;
    if (!Object.hasOwn(p, last)) throw new Error(`remove operation does not apply: doc is missing path: ${pointer}`);
    delete p[last];
  }
  return doc;
}

function replace(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false)] = value;
  else {
    // evanphx/json-patch (which kustomize uses) lets `replace` create a missing key as long as its
    // parent exists; only a missing parent is an error. We follow kustomize, not the RFC.
    (parent as Record<string, unknown>)[last] = value;
  }
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Applies operations in order to `doc` (mutated in place where possible); returns the result. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  let out = doc;
  ops.forEach((op, index) => {
    try {
      switch (op.op) {
        case 'add':
          out = add(out, op.path, deepClone(op.value));
          break;
        case 'remove':
          out = remove(out, op.path);
          break;
        case 'replace':
          out = replace(out, op.path, deepClone(op.value));
          break;
        case 'move': {
          const from = op.from ?? '';
          const v = get(out, from);
          out = remove(out, from);
          out = add(out, op.path, v);
          break;
        }
        case 'copy':
          out = add(out, op.path, deepClone(get(out, op.from ?? '')));
          break;
        case 'test':
          if (!deepEqual(get(out, op.path), op.value)) throw new Error(`test operation failed at ${op.path}`);
          break;
        default:
          throw new Error(`unknown operation ${String((op as { op: unknown }).op)}`);
      }
    } catch (err) {
      throw new JsonPatchError(`${op.op} ${op.path}: ${err instanceof Error ? err.message : String(err)}`, index);
    }
  });
  return out;
}

/** Validates the shape of a decoded patch document. */
export function toJsonPatchOps(value: unknown): JsonPatchOp[] {
  if (!Array.isArray(value)) throw new Error('a JSON 6902 patch must be a list of operations');
  return value.map((v, i) => {
    if (!isObject(v)) throw new Error(`operation ${i} is not a mapping`);
    const op = v['op'];
    if (typeof op !== 'string' || !['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op)) {
      throw new Error(`operation ${i} has an unknown op ${String(op)}`);
    }
    if (typeof v['path'] !== 'string') throw new Error(`operation ${i} has no path`);
    if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(v, 'value')) {
      throw new Error(`operation ${i} (${op}) has no value`);
    }
    if ((op === 'move' || op === 'copy') && typeof v['from'] !== 'string') {
      throw new Error(`operation ${i} (${op}) has no from`);
    }
    return v as unknown as JsonPatchOp;
  });
}
