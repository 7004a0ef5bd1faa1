import { posix } from 'node:path';
import type { Diagnostic } from '../../errors/index.ts';
import { PloydError } from '../../errors/index.ts';
import { fail, toDiagnostic, type Location } from './errors.ts';
import { generate, mergeOptions } from './generators.ts';
import { kustomizeHash } from './hash.ts';
import { applyJsonPatch, JsonPatchError, toJsonPatchOps } from './json-patch.ts';
import { parseKustomization, type Kustomization } from './kustomization-schema.ts';
import { mergeSchemaFor } from './merge-keys.ts';
import { legacySort } from './order.ts';
import { joinRepoPath, normalizeRepoPath, type RepoFs } from './repo-fs.ts';
import {
  allIds,
  curId,
  getKind,
  getName,
  getNamespace,
  idEquals,
  idString,
  isObject,
  metadataOf,
  storePreviousId,
  type KObject,
  type ResId,
  type Resource,
} from './resource.ts';
import { applyStrategicMerge } from './strategic-merge.ts';
import { selects, type Selector } from './targets.ts';
import { applyImage } from './transformers/images.ts';
import { applyCommonAnnotations, applyCommonLabels, applyLabels } from './transformers/labels.ts';
import { applyNamePrefixSuffix } from './transformers/name-prefix.ts';
import { fixNameReferences } from './transformers/name-references.ts';
import { applyNamespace } from './transformers/namespace.ts';
import { applyReplicas } from './transformers/replicas.ts';
import { parseYamlDocsCached, type SourceDoc } from './yaml-source.ts';

export interface RenderedResource {
  object: Record<string, unknown>;
  /** Where the resource's document starts in its source file (before patches). */
  origin: { file: string; line: number; column: number };
}

export interface KustomizeResult {
  resources: RenderedResource[];
  diagnostics: Diagnostic[];
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function findKustomizationFile(fs: RepoFs, dir: string): string | undefined {
  const found = KUSTOMIZATION_FILES.map((f) => joinRepoPath(dir, f)).filter((p) => fs.exists(p) && !fs.isDirectory(p));
  if (found.length > 1) {
    fail('E_KUSTOMIZE_INVALID', `found multiple kustomization files in ${dir || '.'}: ${found.join(', ')}`, { file: found[1] as string });
  }
  return found[0];
}

export function isKustomizationDir(fs: RepoFs, dir: string): boolean {
  try {
    return fs.isDirectory(dir) && KUSTOMIZATION_FILES.some((f) => fs.exists(joinRepoPath(dir, f)));
  } catch {
    return false;
  }
}

/** State of one render call: a parse cache and the chain of kustomizations being built. */
class RenderContext {
  private readonly texts = new Map<string, string>();
  readonly stack: string[] = [];
  constructor(readonly fs: RepoFs) {}

  read(file: string, from?: Location): string {
    try {
      this.checkReal(file);
      return this.fs.readFile(file);
    } catch (err) {
      if (err instanceof PloydError && err.code === 'E_FILE_NOT_FOUND' && from) {
        fail('E_FILE_NOT_FOUND', err.message, from);
      }
      if (err instanceof PloydError && from && err.details['line'] === undefined) {
        fail(err.code, err.message, { ...from, ...(typeof err.details['file'] === 'string' ? {} : {}) });
      }
      throw err;
    }
  }

  checkReal(path: string): void {
    if (this.fs.realPath) this.fs.realPath(path);
  }

  /** Parsed documents of a file; each call gets values of its own to transform. */
  parse(file: string, from?: Location): SourceDoc[] {
    let text = this.texts.get(file);
    if (text === undefined) {
      text = this.read(file, from);
      this.texts.set(file, text);
    }
    return parseYamlDocsCached(text, file);
  }

}

interface KustFile {
  readonly dir: string;
  readonly file: string;
  readonly text: string;
  readonly doc: SourceDoc;
  readonly k: Kustomization;
}

// Validated kustomizations by text; they are never mutated, so sharing them across renders is safe.
const kustomizationCache = new Map<string, Kustomization>();

function loadKustomization(ctx: RenderContext, dir: string, from?: Location): KustFile {
  const file = findKustomizationFile(ctx.fs, dir);
  if (!file) {
    fail('E_FILE_NOT_FOUND', `no kustomization.yaml, kustomization.yml or Kustomization in ${dir || '.'}`, from ?? { file: dir || '.' });
  }
  const text = ctx.read(file, from);
  const docs = parseYamlDocsCached(text, file, { yaml11: true });
  const doc = docs[0];
  if (!doc) fail('E_KUSTOMIZE_INVALID', 'kustomization file is empty', { file, line: 1, column: 1 });
  if (docs.length > 1) fail('E_KUSTOMIZE_INVALID', 'kustomization file has more than one document', { file, line: docs[1]?.line ?? 1 });
  let k = kustomizationCache.get(text);
  if (!k) {
    k = parseKustomization(doc, file);
    kustomizationCache.set(text, k);
    if (kustomizationCache.size > 16_384) {
      const oldest = kustomizationCache.keys().next().value;
      if (oldest !== undefined) kustomizationCache.delete(oldest);
    }
  }
  return { dir, file, text, doc, k };
}

function at(kf: KustFile, field: string, index?: number): Location {
  const p = index === undefined ? kf.doc.keyPos(field) : kf.doc.itemPos(field, index);
  return { file: kf.file, line: p.line, column: p.column };
}

/** Resolves a path a kustomization names; files must stay under the kustomization's folder. */
function resolveIn(kf: KustFile, rel: string, where: Location, mustBeUnderRoot: boolean): string {
  let path: string;
  try {
    path = joinRepoPath(kf.dir, rel);
  } catch {
    fail('E_PATH_ESCAPE', `${rel} leaves the repository root`, where);
  }
  if (mustBeUnderRoot && kf.dir !== '' && !(path === kf.dir || path.startsWith(`${kf.dir}/`))) {
    fail('E_PATH_ESCAPE', `security; file '${rel}' is not in or below '${kf.dir}' (kustomize's load restrictor)`, where);
  }
  return path;
}

/** Gives file-system errors raised without a position the position of the entry that caused them. */
function located<T>(where: Location, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PloydError && err.details['line'] === undefined) fail(err.code, err.message, where);
    throw err;
  }
}

function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || entry.startsWith('git@');
}

/** Current ids of a list, keyed so that "" and "default" namespaces collide as in kustomize. */
function idKey(r: Resource): string {
  const id = curId(r.obj);
  return `${id.group}|${id.version}|${id.kind}|${id.namespace === '' ? 'default' : id.namespace}|${id.name}`;
}

function addResource(list: Resource[], seen: Set<string>, r: Resource, where: Location): void {
  const key = idKey(r);
  if (seen.has(key)) {
    fail('E_KUSTOMIZE_ID_CONFLICT', `may not add resource with an already registered id: ${idString(curId(r.obj))}`, where);
  }
  seen.add(key);
  list.push(r);
}

function resourcesFromDoc(doc: SourceDoc, file: string): Resource[] {
  const where = { file, line: doc.line, column: doc.column };
  const v = doc.value;
  if (!isObject(v)) fail('E_NOT_AN_OBJECT', 'resource document is not a mapping', where);
  const kind = getKind(v);
  if (kind === '') fail('E_KUSTOMIZE_INVALID', 'resource has no kind', where);
  // kustomize expands `kind: List` (and *List) documents into their items.
  if (kind.endsWith('List') && Array.isArray(v['items'])) {
    return v['items'].map((item) => {
      if (!isObject(item)) fail('E_NOT_AN_OBJECT', 'list item is not a mapping', where);
      return { obj: item, origin: where, prevIds: [], needsHash: false };
    });
  }
  if (getName(v) === '') fail('E_KUSTOMIZE_INVALID', `resource of kind ${kind} has no metadata.name`, where);
  return [{ obj: v, origin: where, prevIds: [], needsHash: false }];
}

function accumulateResources(ctx: RenderContext, kf: KustFile, list: Resource[]): void {
  const entries: Array<{ entry: string; field: string; index: number }> = [
    ...(kf.k.resources ?? []).map((entry, index) => ({ entry, field: 'resources', index })),
    ...(kf.k.bases ?? []).map((entry, index) => ({ entry, field: 'bases', index })),
  ];
  const seen = new Set(list.map(idKey));
  for (const { entry, field, index } of entries) {
    const where = at(kf, field, index);
    if (isRemote(entry)) fail('E_KUSTOMIZE_UNSUPPORTED', `remote resource ${entry} is not supported`, where);
    const path = resolveIn(kf, entry, where, false);
    const isDir = located(where, () => {
      if (!ctx.fs.exists(path)) fail('E_FILE_NOT_FOUND', `resource ${entry} does not exist (${path})`, where);
      ctx.checkReal(path);
      return ctx.fs.isDirectory(path);
    });
    if (isDir) {
      const sub = buildDir(ctx, path, where, false, []);
      for (const r of sub) addResource(list, seen, r, where);
    } else {
      if (kf.dir !== '' && !(path.startsWith(`${kf.dir}/`))) {
        fail('E_PATH_ESCAPE', `security; file '${entry}' is not in or below '${kf.dir}' (kustomize's load restrictor)`, where);
      }
      for (const doc of ctx.parse(path, where)) {
        for (const r of resourcesFromDoc(doc, path)) addResource(list, seen, r, { file: path, line: doc.line, column: doc.column });
      }
    }
  }
}

function buildDir(ctx: RenderContext, dir: string, from: Location | undefined, isComponent: boolean, list: Resource[]): Resource[] {
  const real = located(from ?? { file: dir }, () => (ctx.fs.realPath ? normalizeRepoPath(ctx.fs.realPath(dir)) : dir));
  if (ctx.stack.includes(real)) {
    fail('E_KUSTOMIZE_CYCLE', `cycle: ${[...ctx.stack, real].map((d) => d || '.').join(' -> ')}`, from ?? { file: dir });
  }
  const kf = loadKustomization(ctx, dir, from);
  const kind = kf.k.kind ?? 'Kustomization';
  if (isComponent && kind !== 'Component') {
    fail('E_KUSTOMIZE_INVALID', `${kf.file} is listed in components but has kind ${kind}, expected Component`, from ?? { file: kf.file });
  }
  if (!isComponent && kind !== 'Kustomization') {
    fail('E_KUSTOMIZE_INVALID', `${kf.file} has kind ${kind}; only a Kustomization can be a resource (use components:)`, from ?? { file: kf.file });
  }
  ctx.stack.push(real);
  try {
    accumulateResources(ctx, kf, list);
    // kustomize (since PR 5170) runs a kustomization's own generators before its components.
    runGenerators(ctx, kf, list);
    (kf.k.components ?? []).forEach((c, i) => {
      const where = at(kf, 'components', i);
      if (isRemote(c)) fail('E_KUSTOMIZE_UNSUPPORTED', `remote component ${c} is not supported`, where);
      const path = resolveIn(kf, c, where, false);
      located(where, () => {
        if (!ctx.fs.exists(path)) fail('E_FILE_NOT_FOUND', `component ${c} does not exist (${path})`, where);
        if (!ctx.fs.isDirectory(path)) fail('E_KUSTOMIZE_INVALID', `component ${c} must be a folder with a kustomization`, where);
      });
      buildDir(ctx, path, where, true, list);
    });
    runTransformers(ctx, kf, list);
  } finally {
    ctx.stack.pop();
  }
  return list;
}

// --- generators -----------------------------------------------------------------------------------

function runGenerators(ctx: RenderContext, kf: KustFile, list: Resource[]): void {
  const kinds = [
    ['ConfigMap', 'configMapGenerator', kf.k.configMapGenerator ?? []],
    ['Secret', 'secretGenerator', kf.k.secretGenerator ?? []],
  ] as const;
  for (const [kind, field, entries] of kinds) {
    entries.forEach((args, index) => {
      const where = at(kf, field, index);
      const options = mergeOptions(args.options, kf.k.generatorOptions);
      const obj = generate(kind, args, options, {
        file: kf.file,
        ...(where.line !== undefined ? { line: where.line } : {}),
        readFile: (rel) => ctx.read(resolveIn(kf, rel, where, true), where),
      });
      const res: Resource = {
        obj,
        origin: { file: kf.file, line: where.line ?? 1, column: where.column ?? 1 },
        prevIds: [],
        needsHash: options.disableNameSuffixHash !== true,
      };
      absorbGenerated(list, res, args.behavior ?? 'create', where);
    });
  }
}

function stringMap(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

/** kustomize re-sets labels/annotations from Go map[string]string, so scalars become strings. */
function asStrings(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = typeof x === 'number' || typeof x === 'boolean' ? String(x) : x === null ? '' : x;
  }
  return out;
}

/** kustomize's appendReplaceOrMerge for generated resources. */
function absorbGenerated(list: Resource[], res: Resource, behavior: string, where: Location): void {
  const id = curId(res.obj);
  const matches = list.filter((r) => allIds(r).some((x) => idEquals(x, id)));
  if (matches.length === 0) {
    if (behavior === 'merge' || behavior === 'replace') {
      fail('E_KUSTOMIZE_INVALID', `id ${idString(id)} does not exist; cannot merge or replace`, where);
    }
    list.push(res);
    return;
  }
  if (matches.length > 1) fail('E_KUSTOMIZE_ID_CONFLICT', `found multiple objects that could accept merge of ${idString(id)}`, where);
  const old = matches[0] as Resource;
  if (behavior !== 'merge' && behavior !== 'replace') {
    fail('E_KUSTOMIZE_ID_CONFLICT', `id ${idString(id)} exists; behavior must be merge or replace`, where);
  }
  const meta = metadataOf(res.obj);
  const oldMeta = metadataOf(old.obj);
  const labels = asStrings({ ...stringMap(oldMeta['labels']), ...stringMap(meta['labels']) });
  const annotations = asStrings({ ...stringMap(oldMeta['annotations']), ...stringMap(meta['annotations']) });
  if (Object.keys(labels).length > 0) meta['labels'] = labels;
  if (Object.keys(annotations).length > 0) meta['annotations'] = annotations;
  meta['name'] = getName(old.obj);
  const ns = getNamespace(old.obj);
  if (ns) meta['namespace'] = ns;
  else delete meta['namespace'];
  if (behavior === 'merge') {
    const data = { ...stringMap(old.obj['data']), ...stringMap(res.obj['data']) };
    if (Object.keys(data).length > 0) res.obj['data'] = data;
    const bin = { ...stringMap(old.obj['binaryData']), ...stringMap(res.obj['binaryData']) };
    if (Object.keys(bin).length > 0) res.obj['binaryData'] = bin;
  }
  // Either side disabling the name hash disables it for the result (observed with kustomize v5.5).
  const merged: Resource = { obj: res.obj, origin: old.origin, prevIds: old.prevIds, needsHash: old.needsHash && res.needsHash };
  if (old.prefixes) merged.prefixes = old.prefixes;
  if (old.suffixes) merged.suffixes = old.suffixes;
  list[list.indexOf(old)] = merged;
}

// --- patches --------------------------------------------------------------------------------------

interface LoadedPatch {
  kind: 'json6902' | 'smp';
  docs: unknown[];
  where: Location;
}

function loadPatch(ctx: RenderContext, kf: KustFile, inline: string | undefined, path: string | undefined, where: Location): LoadedPatch {
  if ((inline === undefined) === (path === undefined)) {
    fail('E_KUSTOMIZE_INVALID', 'a patch must set exactly one of patch and path', where);
  }
  let text: string;
  let file: string;
  if (path !== undefined) {
    file = resolveIn(kf, path, where, true);
    text = ctx.read(file, where);
  } else {
    file = kf.file;
    text = inline as string;
  }
  let docs: SourceDoc[];
  try {
    docs = parseYamlDocsCached(text, file);
  } catch (err) {
    if (path === undefined && err instanceof PloydError) fail(err.code, `inline patch: ${err.message}`, where);
    throw err;
  }
  // JSON 6902 patches go through sigs.k8s.io/yaml (YAML 1.1: `y` is true), SMP patches
  // through kyaml (YAML 1.2), so a list patch is read again with 1.1 rules.
  if (Array.isArray(docs[0]?.value)) docs = parseYamlDocsCached(text, file, { yaml11: true });
  const values = docs.map((d) => d.value);
  const pw = path !== undefined ? { file, line: docs[0]?.line ?? 1, column: docs[0]?.column ?? 1 } : where;
  if (values.length === 0) fail('E_KUSTOMIZE_INVALID', 'patch is empty', pw);
  if (Array.isArray(values[0])) {
    if (values.length > 1) fail('E_KUSTOMIZE_INVALID', 'a JSON 6902 patch must be one document', pw);
    return { kind: 'json6902', docs: values, where: pw };
  }
  for (const v of values) {
    if (!isObject(v)) fail('E_KUSTOMIZE_INVALID', 'a strategic-merge patch must be a mapping', pw);
    // kustomize reads SM patches as resources, so they need a kind and a name even with a target.
    if (getKind(v) === '' || getName(v) === '') {
      fail('E_KUSTOMIZE_INVALID', 'unable to parse SM or JSON patch: a strategic-merge patch needs kind and metadata.name', pw);
    }
  }
  return { kind: 'smp', docs: values, where: pw };
}

function patchId(patch: KObject): ResId {
  return curId(patch);
}

function applySmpTo(r: Resource, patch: KObject, opts: { allowNameChange?: boolean | undefined; allowKindChange?: boolean | undefined }): boolean {
  const name = getName(r.obj);
  const ns = getNamespace(r.obj);
  const kind = getKind(r.obj);
  if (opts.allowNameChange || opts.allowKindChange) storePreviousId(r);
  const copy = structuredClone(patch);
  copy['apiVersion'] = r.obj['apiVersion'];
  const schema = mergeSchemaFor(r.obj);
  if (!applyStrategicMerge(r.obj, copy, schema)) return false;
  if (Object.keys(r.obj).length === 0) return false;
  if (!opts.allowKindChange) r.obj['kind'] = kind;
  const meta = metadataOf(r.obj);
  if (!opts.allowNameChange) meta['name'] = name;
  if (ns) meta['namespace'] = ns;
  else delete meta['namespace'];
  return true;
}

function applyJson6902To(r: Resource, ops: unknown, where: Location): void {
  let parsed;
  try {
    parsed = toJsonPatchOps(ops);
  } catch (err) {
    fail('E_KUSTOMIZE_INVALID', `invalid JSON 6902 patch: ${(err as Error).message}`, where);
  }
  try {
    const out = applyJsonPatch(r.obj, parsed);
    if (!isObject(out)) fail('E_KUSTOMIZE_PATCH', 'JSON patch did not produce a mapping', where);
    r.obj = out;
  } catch (err) {
    if (err instanceof JsonPatchError) {
      const id = curId(r.obj);
      fail('E_KUSTOMIZE_PATCH', `patch failed on ${id.kind}/${id.name}: ${err.message}`, where);
    }
    throw err;
  }
}

function removeDeleted(list: Resource[], deleted: Set<Resource>): void {
  if (deleted.size === 0) return;
  const kept = list.filter((r) => !deleted.has(r));
  list.length = 0;
  list.push(...kept);
}

function findByPatchId(list: Resource[], patch: KObject, where: Location): Resource {
  const id = patchId(patch);
  const matches = list.filter((r) => allIds(r).some((x) => idEquals(x, id)));
  if (matches.length !== 1) {
    fail(
      'E_KUSTOMIZE_PATCH',
      `${matches.length === 0 ? 'no matches' : 'multiple matches'} for patch target ${idString(id)}; failed to find unique target for patch`,
      where,
    );
  }
  return matches[0] as Resource;
}

function runPatchesStrategicMerge(ctx: RenderContext, kf: KustFile, list: Resource[]): void {
  (kf.k.patchesStrategicMerge ?? []).forEach((entry, index) => {
    const where = at(kf, 'patchesStrategicMerge', index);
    const inline = /\n/.test(entry) || /^\s*(apiVersion|kind)\s*:/.test(entry);
    const patch = inline ? loadPatch(ctx, kf, entry, undefined, where) : loadPatch(ctx, kf, undefined, entry, where);
    if (patch.kind !== 'smp') fail('E_KUSTOMIZE_INVALID', 'patchesStrategicMerge entries must be strategic-merge patches', where);
    const deleted = new Set<Resource>();
    for (const doc of patch.docs) {
      const target = findByPatchId(list.filter((r) => !deleted.has(r)), doc as KObject, patch.where);
      if (!applySmpTo(target, doc as KObject, {})) deleted.add(target);
    }
    removeDeleted(list, deleted);
  });
}

/** Target selection; a bad name regex or label selector becomes a located diagnostic. */
function selectsAt(target: Selector, r: Resource, where: Location): boolean {
  try {
    return selects(target, r);
  } catch (err) {
    fail('E_KUSTOMIZE_INVALID', `invalid patch target: ${err instanceof Error ? err.message : String(err)}`, where);
  }
}

function runPatches(ctx: RenderContext, kf: KustFile, list: Resource[]): void {
  (kf.k.patches ?? []).forEach((p, index) => {
    const where = at(kf, 'patches', index);
    const patch = loadPatch(ctx, kf, p.patch, p.path, where);
    const opts = p.options ?? {};
    if (patch.kind === 'json6902') {
      if (!p.target) fail('E_KUSTOMIZE_INVALID', 'a JSON 6902 patch needs a target', where);
      const target: Selector = p.target;
      for (const r of list) if (selectsAt(target, r, where)) applyJson6902To(r, patch.docs[0], patch.where);
      return;
    }
    const deleted = new Set<Resource>();
    if (p.target) {
      const target: Selector = p.target;
      const selected = list.filter((r) => selectsAt(target, r, where));
      for (const r of selected) {
        for (const doc of patch.docs) {
          if (deleted.has(r)) continue;
          const d = doc as KObject;
          if (!applySmpTo(r, d, opts)) deleted.add(r);
        }
      }
    } else {
      for (const doc of patch.docs) {
        const target = findByPatchId(list.filter((r) => !deleted.has(r)), doc as KObject, patch.where);
        if (!applySmpTo(target, doc as KObject, opts)) deleted.add(target);
      }
    }
    removeDeleted(list, deleted);
  });
}

function runPatchesJson6902(ctx: RenderContext, kf: KustFile, list: Resource[]): void {
  (kf.k.patchesJson6902 ?? []).forEach((p, index) => {
    const where = at(kf, 'patchesJson6902', index);
    const patch = loadPatch(ctx, kf, p.patch, p.path, where);
    if (patch.kind !== 'json6902') fail('E_KUSTOMIZE_INVALID', 'patchesJson6902 entries must be JSON 6902 patches', where);
    // kustomize selects patchesJson6902 targets exactly like `patches` targets (ResMap.Select).
    for (const r of list) {
      if (!selectsAt(p.target, r, where)) continue;
      applyJson6902To(r, patch.docs[0], patch.where);
    }
  });
}

// --- transformers ---------------------------------------------------------------------------------

function runTransformers(ctx: RenderContext, kf: KustFile, list: Resource[]): void {
  const k = kf.k;
  runPatchesStrategicMerge(ctx, kf, list);
  runPatches(ctx, kf, list);
  if (k.namespace) applyNamespace(list, k.namespace);
  applyNamePrefixSuffix(list, k.namePrefix ?? '', k.nameSuffix ?? '');
  for (const entry of k.labels ?? []) {
    applyLabels(list, {
      pairs: entry.pairs ?? {},
      includeSelectors: entry.includeSelectors,
      includeTemplates: entry.includeTemplates,
      fields: entry.fields?.map((f) => ({ ...f })),
    });
  }
  applyCommonLabels(list, k.commonLabels ?? {});
  applyCommonAnnotations(list, k.commonAnnotations ?? {});
  runPatchesJson6902(ctx, kf, list);
  (k.replicas ?? []).forEach((rep) => applyReplicas(list, rep.name, rep.count, kf.file));
  for (const img of k.images ?? []) applyImage(list, img);
}

/** Adds the content hash to generated names, as kustomize does once, at the top. */
function addHashSuffixes(list: Resource[]): void {
  for (const r of list) {
    if (!r.needsHash) continue;
    const h = kustomizeHash(r.obj);
    storePreviousId(r);
    const meta = metadataOf(r.obj);
    meta['name'] = `${getName(r.obj)}-${h}`;
  }
}

/** Renders the kustomization in `dir`; never throws. */
export function renderKustomization(fs: RepoFs, dir: string): KustomizeResult {
  const ctx = new RenderContext(fs);
  try {
    const root = normalizeRepoPath(dir);
    const list = buildDir(ctx, root, undefined, false, []);
    addHashSuffixes(list);
    fixNameReferences(list);
    const sorted = legacySort(list);
    return { resources: sorted.map((r) => ({ object: r.obj, origin: r.origin })), diagnostics: [] };
  } catch (err) {
    return { resources: [], diagnostics: [toDiagnostic(err)] };
  }
}

void posix;
