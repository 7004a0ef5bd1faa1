import type { ParsedResource } from '../resources/index.ts';
import type { FieldPath } from './types.ts';

type Json = Record<string, unknown>;

function has(obj: unknown, path: FieldPath): boolean {
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return false;
    if (!(String(seg) in (cur as Json))) return false;
    cur = (cur as Json)[String(seg)];
  }
  return true;
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** Prefix rewrites from a converted kind's paths to the paths the user wrote. */
type Rewrite = readonly [from: FieldPath, to: FieldPath | ((original: Json) => FieldPath)];

const LLM_D: readonly Rewrite[] = [
  [['spec', 'scaling'], ['spec', 'autoscaling']],
  [
    ['spec', 'resources', 'gpu', 'count'],
    (o) =>
      has(o, ['spec', 'resources', 'limits', 'nvidia.com/gpu'])
        ? ['spec', 'resources', 'limits', 'nvidia.com/gpu']
        : ['spec', 'resources', 'requests', 'nvidia.com/gpu'],
  ],
  [['spec', 'resources', 'gpu'], ['spec', 'resources']],
  [['spec', 'model', 'vllm', 'tensor_parallel_size'], ['spec', 'model', 'parallelism', 'tensor']],
  [['spec', 'model', 'vllm', 'max_model_len'], ['spec', 'serving', 'maxSequenceLength']],
  [['spec', 'model', 'vllm', 'max_num_seqs'], ['spec', 'serving', 'batchSize']],
  [['spec', 'model', 'path'], ['spec', 'model', 'source', 'modelUri']],
  [['spec', 'model', 'parameterCount'], ['spec', 'model', 'parameters']],
];

const ARGO_APP: readonly Rewrite[] = [
  [['spec', 'environment'], ['spec', 'destination', 'namespace']],
  [['spec', 'dependsOn'], ['spec', 'dependencies']],
  [['spec', 'hooks'], ['spec', 'preSync']],
];

const REWRITES: Readonly<Record<string, readonly Rewrite[]>> = {
  LLMDeployment: LLM_D,
  'argoproj.io/Application': ARGO_APP,
};

/**
 * Converted kinds (llm-d LLMDeployment, Argo CD Application) are checked in their ployd shape,
 * but users fix the file they wrote: this maps a path of the converted manifest back to the
 * field as written, so findings point at `spec.autoscaling.minReplicas`, not `spec.scaling…`.
 */
export function writtenPath(parsed: ParsedResource, path: FieldPath): FieldPath {
  const original = parsed.original;
  if (!original) return path;
  const kind = String(original.kind);
  const group = String(original.apiVersion).split('/')[0] ?? '';
  const rewrites = REWRITES[kind] ?? REWRITES[`${group}/${kind}`];
  if (!rewrites) return path;
  for (const [from, to] of rewrites) {
    if (startsWith(path, from)) {
      const target = typeof to === 'function' ? to(original) : to;
      return [...target, ...path.slice(from.length)];
    }
  }
  return path;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['spec', 'models', 0, 'weight']` → `spec.models[0].weight`; odd keys in brackets: `limits["nvidia.com/gpu"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The value at a path of a plain JSON tree, or undefined. */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[String(seg)];
  }
  return cur;
}
