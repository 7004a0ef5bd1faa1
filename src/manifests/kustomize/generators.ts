import { posix } from 'node:path';
import { fail } from './errors.ts';
import type { GeneratorArgs, GeneratorOptions } from './kustomization-schema.ts';
import type { KObject } from './resource.ts';

/** What a generator needs from the render: reading files beside the kustomization. */
export interface GeneratorIo {
  readonly file: string;
  readonly line?: number;
  readFile(relPath: string): string;
}

/** kustomize's MergeGlobalOptionsIntoLocal: local labels/annotations win; global flags are sticky. */
export function mergeOptions(local: GeneratorOptions | undefined, global: GeneratorOptions | undefined): GeneratorOptions {
  const out: GeneratorOptions = { ...(local ?? {}) };
  if (!global) return out;
  if (global.labels || out.labels) out.labels = { ...(global.labels ?? {}), ...(out.labels ?? {}) };
  if (global.annotations || out.annotations) out.annotations = { ...(global.annotations ?? {}), ...(out.annotations ?? {}) };
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

function stripQuotes(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function parseEnvFile(text: string, where: { file: string; line?: number }, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      fail('E_KUSTOMIZE_UNSUPPORTED', `env file ${path}: "${line}" takes its value from the environment, which a GitOps render must not depend on`, where);
    }
    const key = line.slice(0, eq);
    if (!ENV_NAME.test(key)) fail('E_KUSTOMIZE_INVALID', `env file ${path}: "${key}" is not a valid key name`, where);
    out.push([key, line.slice(eq + 1)]);
  }
  return out;
}

/** Builds the ConfigMap or Secret a generator entry describes (without the hash suffix). */
export function generate(kind: 'ConfigMap' | 'Secret', args: GeneratorArgs, options: GeneratorOptions, io: GeneratorIo): KObject {
  const where = { file: io.file, ...(io.line !== undefined ? { line: io.line } : {}) };
  if (!args.name) fail('E_KUSTOMIZE_INVALID', `${kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator'} entry has no name`, where);
  const data = new Map<string, string>();
  const put = (k: string, v: string): void => {
    if (data.has(k)) {
      fail('E_KUSTOMIZE_INVALID', `${kind} ${args.name}: cannot add key ${k}, another key by that name already exists`, where);
    }
    data.set(k, v);
  };
  for (const path of [...(args.envs ?? []), ...(args.env ? [args.env] : [])]) {
    for (const [k, v] of parseEnvFile(io.readFile(path), where, path)) put(k, v);
  }
  for (const lit of args.literals ?? []) {
    const eq = lit.indexOf('=');
    if (eq < 0) fail('E_KUSTOMIZE_INVALID', `literal "${lit}" must be key=value`, where);
    put(lit.slice(0, eq), stripQuotes(lit.slice(eq + 1)));
  }
  for (const spec of args.files ?? []) {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? posix.basename(spec) : spec.slice(0, eq);
    const path = eq < 0 ? spec : spec.slice(eq + 1);
    if (key === '') fail('E_KUSTOMIZE_INVALID', `file source "${spec}" has an empty key`, where);
    put(key, io.readFile(path));
  }
  const metadata: KObject = { name: args.name };
  if (args.namespace) metadata['namespace'] = args.namespace;
  if (options.labels && Object.keys(options.labels).length > 0) metadata['labels'] = { ...options.labels };
  if (options.annotations && Object.keys(options.annotations).length > 0) metadata['annotations'] = { ...options.annotations };
  const obj: KObject = { apiVersion: 'v1', kind, metadata };
  // kustomize writes `data: {}` for an empty Secret but omits data on an empty ConfigMap.
  if (data.size > 0 || kind === 'Secret') {
    const d: Record<string, string> = {};
    for (const [k, v] of data) d[k] = kind === 'Secret' ? Buffer.from(v, 'utf8').toString('base64') : v;
    obj['data'] = d;
  }
  if (kind === 'Secret') obj['type'] = args.type || 'Opaque';
  if (options.immutable) obj['immutable'] = true;
  return obj;
}
