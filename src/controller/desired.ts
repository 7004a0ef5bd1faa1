import { posix } from 'node:path';
import type { Diagnostic } from '../errors/index.ts';
import {
  issueToDiagnostic,
  isKustomizationDir,
  loadRepo,
  nodeRepoFs,
  readTextFiles,
  renderKustomization,
  scanRepo,
  type LoadedResource,
  type RepoFs,
  type RepoScan,
} from '../manifests/index.ts';
import { parseResource, PLOYD_API_VERSION, type Application, type Environment, type Project } from '../resources/index.ts';
import { scanSecrets, validateResources } from '../validation/index.ts';
import type { Json, ResourceKey } from './diff.ts';
import { syncWave } from './plan.ts';

/** The label the controller puts on everything it applies: how live resources are tied to an app. */
export const APP_LABEL = 'ployd.ai/application';
/** The app's project, on everything applied: the API's RBAC objects read it (`project/env/app`). */
export const PROJECT_LABEL = 'ployd.ai/project';

/** One resource of an application's desired state. */
export interface DesiredResource {
  readonly key: ResourceKey;
  /** The manifest as written (after kustomize), with namespace and the app label set: what is applied. */
  readonly manifest: Record<string, unknown>;
  /** Normalised parsed form (defaults applied): what is compared with live state. */
  readonly value: Json;
  readonly wave: number;
  /** Kubernetes kinds passed through: the local runtime cannot act on them. */
  readonly passthrough: boolean;
  readonly file: string;
}

export interface DesiredState {
  readonly resources: readonly DesiredResource[];
  /** Every finding; any `error` means the revision must not be applied. */
  readonly diagnostics: readonly Diagnostic[];
  readonly environment?: Environment;
}

/** What a repo declares independently of environments: Applications and Projects. */
export interface RepoCatalog {
  /** `finalizers` as written in the manifest (Argo CD's resources-finalizer decides cascading deletes). */
  readonly applications: readonly { readonly app: Application; readonly file: string; readonly finalizers: readonly string[] }[];
  readonly projects: ReadonlyMap<string, Project>;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Every file of the tree was read and parsed without error. Only then does an Application
   * missing from the catalog mean it was removed from Git, not that its file failed to parse.
   */
  readonly complete: boolean;
}

/** Repo views are cached per tree: a tree of a commit never changes. */
interface OpenTree {
  readonly fs: RepoFs;
  readonly scan: RepoScan;
  readonly envLoads: Map<string, EnvView>;
  catalog?: RepoCatalog;
  secrets?: readonly Diagnostic[];
}
const trees = new Map<string, OpenTree>();

function openTree(dir: string): OpenTree {
  let t = trees.get(dir);
  if (!t) {
    const fs = nodeRepoFs(dir);
    t = { fs, scan: scanRepo(fs), envLoads: new Map() };
    trees.set(dir, t);
    // A small cache: a controller only ever looks at a handful of recent revisions.
    if (trees.size > 16) trees.delete(trees.keys().next().value as string);
  }
  return t;
}

/**
 * A tree loaded for one environment, indexed so rendering one app costs O(its resources): by
 * every directory that contains a file (and the file itself), in load order. Without the index
 * each app filtered every resource of the repo: O(apps²) for a repo of many apps.
 */
interface EnvView {
  readonly resources: readonly LoadedResource[];
  readonly diagnostics: readonly Diagnostic[];
  readonly resourcesUnder: ReadonlyMap<string, readonly LoadedResource[]>;
  readonly diagnosticsUnder: ReadonlyMap<string, readonly Diagnostic[]>;
  /** Policies and Environments: they apply to every app of the environment. */
  readonly envWide: readonly LoadedResource[];
}

function indexByPath<T>(items: readonly T[], fileOf: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const file = fileOf(item);
    if (file === undefined) continue;
    const parts = file.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const key = parts.slice(0, i).join('/');
      const list = out.get(key);
      if (list) list.push(item);
      else out.set(key, [item]);
    }
  }
  return out;
}

function envLoad(t: OpenTree, environment: string): EnvView {
  let v = t.envLoads.get(environment);
  if (!v) {
    const l = loadRepo(t.fs, t.scan, { environment });
    v = {
      resources: l.resources,
      diagnostics: l.diagnostics,
      resourcesUnder: indexByPath(l.resources, (r) => r.file),
      diagnosticsUnder: indexByPath(l.diagnostics, (d) => d.file),
      envWide: l.resources.filter((r) => r.parsed.resource.kind === 'Policy' || r.parsed.resource.kind === 'Environment'),
    };
    t.envLoads.set(environment, v);
  }
  return v;
}

/**
 * The secret scan of `ployd validate` over every text file of the tree, once per tree. A plaintext
 * secret anywhere in a commit refuses that commit for every app: the commit is the unit Git
 * reviews and reverts, and applying the apps that happen not to include the file would apply it
 * in part.
 */
function treeSecrets(t: OpenTree): readonly Diagnostic[] {
  t.secrets ??= scanSecrets(readTextFiles(t.fs, t.scan));
  return t.secrets;
}

/** Applications (ployd or Argo CD shape, converted by the parser) and Projects of a tree. */
export function readCatalog(treeDir: string): RepoCatalog {
  const t = openTree(treeDir);
  if (t.catalog) return t.catalog;
  const loaded = loadRepo(t.fs, t.scan);
  const applications: { app: Application; file: string; finalizers: string[] }[] = [];
  const projects = new Map<string, Project>();
  for (const r of loaded.resources) {
    const res = r.parsed.resource;
    if (res.kind === 'Application' && res.apiVersion === PLOYD_API_VERSION) {
      const meta = (r.parsed.original ?? r.parsed.manifest).metadata;
      const finalizers = isObject(meta) && Array.isArray(meta.finalizers) ? meta.finalizers.filter((f): f is string => typeof f === 'string') : [];
      applications.push({ app: res as Application, file: r.file, finalizers });
    }
    else if (res.kind === 'Project' && res.apiVersion === PLOYD_API_VERSION) projects.set(res.metadata.name, res as Project);
  }
  const diagnostics = [...t.scan.diagnostics, ...loaded.diagnostics].filter((d) => applications.some((a) => a.file === d.file) || d.file === undefined);
  const complete = ![...t.scan.diagnostics, ...loaded.diagnostics].some((d) => d.severity === 'error');
  t.catalog = { applications, projects, diagnostics, complete };
  return t.catalog;
}

/** The environment an application deploys to: spec.environment, else the destination namespace. */
export function environmentOf(app: Application): string {
  return app.spec.environment ?? app.spec.destination.namespace ?? 'default';
}

function normalisePath(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\/?/, '').replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The comparable form of a parsed resource: identity, labels, annotations and spec. */
export function comparable(resource: unknown, namespace: string): Json {
  const r = resource as { metadata?: { name?: string; labels?: unknown; annotations?: unknown }; spec?: unknown };
  const out = {
    metadata: {
      name: r.metadata?.name ?? '',
      namespace,
      ...(isObject(r.metadata?.labels) && Object.keys(r.metadata.labels).length > 0 ? { labels: r.metadata.labels } : {}),
      ...(isObject(r.metadata?.annotations) && Object.keys(r.metadata.annotations).length > 0 ? { annotations: r.metadata.annotations } : {}),
    },
    ...(r.spec !== undefined ? { spec: r.spec } : {}),
  };
  // JSON round trip: drops undefined members so both sides compare as plain JSON.
  return JSON.parse(JSON.stringify(out)) as Json;
}

/** Sets namespace and the app label on a manifest (a copy). */
function stamp(manifest: Record<string, unknown>, namespace: string, app: Application): Record<string, unknown> {
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  const labels = isObject(metadata.labels) ? metadata.labels : {};
  return { ...manifest, metadata: { ...metadata, namespace, labels: { ...labels, [APP_LABEL]: app.metadata.name, [PROJECT_LABEL]: app.spec.project } } };
}

/**
 * Renders and validates one application at one tree: its `source.path` (a kustomization, or the
 * YAML under it) for its environment, checked with the schema, semantics and the environment's
 * Policies. Pure over the files of the tree.
 */
export function renderApplication(treeDir: string, app: Application): DesiredState {
  const t = openTree(treeDir);
  const environment = environmentOf(app);
  const path = normalisePath(app.spec.source.path);
  const diagnostics: Diagnostic[] = [];
  let loaded: LoadedResource[] = [];
  if (path !== '' && !t.fs.exists(path)) {
    diagnostics.push({ severity: 'error', code: 'E_FILE_NOT_FOUND', message: `source.path ${path} does not exist at this revision`, file: path });
  } else if (path !== '' && isKustomizationDir(t.fs, path)) {
    const rendered = renderKustomization(t.fs, path);
    diagnostics.push(...rendered.diagnostics);
    for (const r of rendered.resources) {
      const position = { line: r.origin.line, column: r.origin.column };
      const locate = (): typeof position => position;
      const { parsed, issues } = parseResource(r.object);
      for (const i of issues) diagnostics.push(issueToDiagnostic(i, r.origin.file, locate));
      if (parsed) loaded.push({ parsed, file: r.origin.file, position, locate, environment });
    }
  } else {
    const view = envLoad(t, environment);
    // The files at `path` or under it (everything when the path is the repo root).
    loaded = path === '' ? [...view.resources] : [...(view.resourcesUnder.get(path) ?? [])];
    diagnostics.push(...(path === '' ? view.diagnostics : (view.diagnosticsUnder.get(path) ?? [])));
  }
  // The environment's policies (and Environment resource) apply to the app even when they live
  // outside its path, as `ployd validate --env` checks them.
  const view = envLoad(t, environment);
  const extra = view.envWide.filter(
    (r) => !loaded.some((l) => l.parsed.resource.kind === r.parsed.resource.kind && l.parsed.resource.metadata.name === r.parsed.resource.metadata.name),
  );
  diagnostics.push(...validateResources([...loaded, ...extra], { environment, pathExists: (p) => t.fs.exists(p) }));
  diagnostics.push(...treeSecrets(t));
  const envResource = [...loaded, ...extra].find((r) => r.parsed.resource.kind === 'Environment' && r.parsed.resource.metadata.name === environment)?.parsed.resource as
    | Environment
    | undefined;
  const resources: DesiredResource[] = [];
  const seen = new Set<string>();
  for (const r of loaded) {
    const res = r.parsed.resource;
    const name = res.metadata.name;
    const key = { kind: res.kind, namespace: environment, name };
    const id = `${key.kind}/${key.namespace}/${key.name}`;
    if (seen.has(id)) {
      diagnostics.push({ severity: 'error', code: 'E_DUPLICATE_NAME', message: `${res.kind} ${name} is defined twice in ${path}`, file: r.file, line: r.position.line });
      continue;
    }
    seen.add(id);
    const manifest = stamp(r.parsed.manifest, environment, app);
    // Parse the stamped manifest as the SDK will: so defaults never show up as drift.
    const reparsed = parseResource(manifest).parsed?.resource ?? res;
    resources.push({
      key,
      manifest,
      value: comparable(reparsed, environment),
      wave: syncWave((res.metadata as { annotations?: Record<string, string> }).annotations),
      passthrough: r.parsed.passthrough,
      file: r.file,
    });
  }
  return { resources, diagnostics, ...(envResource ? { environment: envResource } : {}) };
}
