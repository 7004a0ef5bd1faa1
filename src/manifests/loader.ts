import { parse as parseYaml } from 'yaml';
import { isPloydError, type Diagnostic } from '../errors/index.ts';
import { parseResource, resourceId, type ParsedResource } from '../resources/index.ts';
import { isKustomizationDir, renderKustomization, type RepoFs } from './kustomize/index.ts';
import { issueToDiagnostic } from './issues.ts';
import { environmentOfPath, environmentsFromDirs, isIgnoredPath, isResourcePath, isYamlPath } from './layout.ts';
import type { LoadedResource, RepoTextFile, SourcePosition } from './types.ts';
import { parseFastYaml } from './fast-yaml.ts';
import { parseYamlFile, type ParsedYamlFile } from './yaml-source.ts';

export interface RepoScan {
  /** Every file of the repo (repo-relative), dot folders and node_modules excluded. */
  readonly files: readonly string[];
  readonly dirs: readonly string[];
  /** Folders holding a kustomization. */
  readonly kustomizeDirs: readonly string[];
  /** Kustomizations no other kustomization includes: the ones rendered. */
  readonly entryDirs: readonly string[];
  /** Environments found in folder names and Environment resources. */
  readonly environments: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface LoadOptions {
  /** Render what this environment gets; undefined = only what belongs to every environment. */
  readonly environment?: string;
}

export interface LoadResult {
  readonly environment?: string;
  readonly resources: readonly LoadedResource[];
  readonly diagnostics: readonly Diagnostic[];
}

function errorDiagnostic(err: unknown, file: string): Diagnostic {
  if (isPloydError(err)) {
    const f = typeof err.details.file === 'string' ? err.details.file : file;
    return { severity: 'error', code: err.code, message: err.message, file: f, line: 1, column: 1 };
  }
  return { severity: 'error', code: 'E_IO', message: err instanceof Error ? err.message : String(err), file };
}

/**
 * Reads a repo's structure: files, folders, kustomizations and which of them are entry points.
 * Kustomization files are read only to learn which folders they include.
 */
export function scanRepo(fs: RepoFs): RepoScan {
  const files: string[] = [];
  const dirs: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = fs.listDir(dir);
    } catch (err) {
      diagnostics.push(errorDiagnostic(err, dir || '.'));
      return;
    }
    for (const name of names) {
      const path = dir === '' ? name : `${dir}/${name}`;
      if (isIgnoredPath(path)) continue;
      try {
        if (fs.realPath) fs.realPath(path); // throws E_PATH_ESCAPE for symlinks leaving the root
        if (fs.isDirectory(path)) {
          dirs.push(path);
          walk(path);
        } else files.push(path);
      } catch (err) {
        diagnostics.push(errorDiagnostic(err, path));
      }
    }
  };
  walk('');
  const kustomizeDirs = ['', ...dirs].filter((d) => isResourcePath(d || '.') || d === '').filter((d) => {
    try {
      return isKustomizationDir(fs, d);
    } catch {
      return false;
    }
  });
  const includes = new Map(kustomizeDirs.map((d) => [d, includedDirs(fs, d)]));
  const included = new Set([...includes.values()].flat());
  const entryDirs = kustomizeDirs.filter((d) => !included.has(d));
  // Kustomizations that only include each other have no entry point; render one of each such group
  // anyway so the renderer reports the cycle instead of the group silently vanishing.
  const reached = new Set<string>();
  const reach = (d: string): void => {
    if (reached.has(d)) return;
    reached.add(d);
    for (const inc of includes.get(d) ?? []) reach(inc);
  };
  entryDirs.forEach(reach);
  for (const d of kustomizeDirs) {
    if (!reached.has(d)) {
      entryDirs.push(d);
      reach(d);
    }
  }
  return { files, dirs, kustomizeDirs, entryDirs, environments: environmentsFromDirs(dirs), diagnostics };
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Folders a kustomization includes through resources, bases and components. */
function includedDirs(fs: RepoFs, dir: string): string[] {
  const file = KUSTOMIZATION_FILES.map((f) => (dir === '' ? f : `${dir}/${f}`)).find((f) => fs.exists(f));
  if (!file) return [];
  let k: unknown;
  try {
    const text = fs.readFile(file);
    // yaml's parse() reads exactly one document; the fast parser answers the same where it answers.
    const fast = parseFastYaml(text, { keepEmpty: false });
    k = fast === undefined ? parseYaml(text) : fast.length === 1 ? fast[0]?.value : fast.length === 0 ? null : undefined;
  } catch {
    return []; // the renderer reports the syntax error with its position
  }
  if (k === null || typeof k !== 'object') return [];
  const rec = k as Record<string, unknown>;
  const entries = [rec.resources, rec.bases, rec.components].flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [])).filter((v): v is string => typeof v === 'string');
  const out: string[] = [];
  for (const e of entries) {
    const parts = (dir === '' ? e : `${dir}/${e}`).split('/');
    const norm: string[] = [];
    for (const p of parts) {
      if (p === '..') norm.pop();
      else if (p !== '.' && p !== '') norm.push(p);
    }
    out.push(norm.join('/'));
  }
  return out;
}

/** Whether a file sits in one of the folders (or their subfolders): a walk up its own path. */
function underAny(path: string, dirs: ReadonlySet<string>): boolean {
  if (dirs.has('')) return true;
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) if (dirs.has(path.slice(0, i))) return true;
  return false;
}

/** Kinds that name their environment themselves rather than by folder. */
function declaredEnvironment(parsed: ParsedResource): string | undefined {
  const r = parsed.resource;
  if (r.kind === 'Application' && r.apiVersion === 'ployd.ai/v1' && 'spec' in r) {
    const spec = r.spec as { environment?: string; destination?: { namespace?: string } };
    return spec.environment ?? spec.destination?.namespace;
  }
  return undefined;
}

/** A doc with no apiVersion/kind but `groups:` is a Prometheus rules file (seed 001's alerts). */
function isPrometheusRules(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.apiVersion === undefined && v.kind === undefined && Array.isArray(v.groups);
}

/**
 * Loads what an environment gets from a config repo: plain YAML files of that environment and of
 * all environments, and the rendered entry kustomizations of both. Every resource keeps its file
 * and a locator for field positions. Never throws for bad input: it reports diagnostics.
 *
 * @example
 * const fs = nodeRepoFs('examples/quickstart');
 * const { resources, diagnostics } = loadRepo(fs, scanRepo(fs), { environment: 'dev' });
 */
export function loadRepo(fs: RepoFs, scan: RepoScan, options: LoadOptions = {}): LoadResult {
  const env = options.environment;
  const envs = new Set(scan.environments);
  const diagnostics: Diagnostic[] = [];
  const resources: LoadedResource[] = [];
  const parsedFiles = new Map<string, ParsedYamlFile>();
  const kustomizeDirs = new Set(scan.kustomizeDirs);

  const parseFile = (file: string): ParsedYamlFile => {
    let p = parsedFiles.get(file);
    if (!p) {
      try {
        p = parseYamlFile(file, fs.readFile(file));
      } catch (err) {
        p = { documents: [], diagnostics: [errorDiagnostic(err, file)] };
      }
      parsedFiles.set(file, p);
    }
    return p;
  };

  const add = (object: unknown, file: string, position: SourcePosition, locate: LoadedResource['locate'], pathEnv: string | undefined): void => {
    if (isPrometheusRules(object)) return;
    const { parsed, issues } = parseResource(object);
    const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    const id = parsed ? resourceId(parsed.resource) : typeof name === 'string' ? name : undefined;
    for (const issue of issues) diagnostics.push(issueToDiagnostic(issue, file, locate, id));
    if (!parsed) return;
    const declared = declaredEnvironment(parsed);
    // Resources of shared folders that name another environment than the one asked for are not its.
    if (env !== undefined && pathEnv === undefined && declared !== undefined && declared !== env) return;
    const resEnv = pathEnv ?? declared ?? env;
    resources.push({ parsed, file, position, locate, ...(resEnv !== undefined ? { environment: resEnv } : {}) });
  };

  const selected = (path: string): boolean => {
    const pathEnv = environmentOfPath(path, envs);
    return pathEnv === undefined || pathEnv === env;
  };

  for (const file of scan.files) {
    if (!isYamlPath(file) || !isResourcePath(file) || underAny(file, kustomizeDirs) || !selected(file)) continue;
    const parsed = parseFile(file);
    diagnostics.push(...parsed.diagnostics);
    const pathEnv = environmentOfPath(file, envs);
    for (const doc of parsed.documents) add(doc.value, file, doc.position, doc.locate, pathEnv);
  }

  for (const dir of scan.entryDirs) {
    if (!selected(`${dir}/kustomization.yaml`)) continue;
    const pathEnv = environmentOfPath(`${dir}/kustomization.yaml`, envs);
    const result = renderKustomization(fs, dir);
    diagnostics.push(...result.diagnostics);
    for (const r of result.resources) {
      const position = { line: r.origin.line, column: r.origin.column };
      // Field positions are needed only for findings: parse the source file on first use.
      const locate = (path: readonly (string | number)[]): SourcePosition => {
        if (path.length === 0) return position;
        const source = parseFile(r.origin.file).documents.find((d) => d.position.line === r.origin.line);
        return source ? source.locate(path) : position;
      };
      add(r.object, r.origin.file, position, locate, pathEnv);
    }
  }
  return { ...(env !== undefined ? { environment: env } : {}), resources, diagnostics };
}

/** Environment names declared as Environment resources anywhere in the repo, plus folder names. */
export function discoverEnvironments(fs: RepoFs, scan: RepoScan, shared: LoadResult = loadRepo(fs, scan)): string[] {
  const envs = new Set(scan.environments);
  for (const r of shared.resources) {
    if (r.parsed.resource.kind === 'Environment') envs.add(r.parsed.resource.metadata.name);
  }
  return [...envs].sort();
}

/** Files no scan over text needs to read. */
const BINARY_EXTENSIONS = /\.(png|jpe?g|gif|ico|pdf|zip|gz|tgz|tar|bin|safetensors|gguf|pt|onnx|so|dylib|exe|woff2?)$/i;

/**
 * Every text file of the repo, for scans over raw text (the secret scan reads YAML, .env, shell,
 * JSON and code alike). Binary and oversized files are skipped here; the loader reports the YAML ones.
 */
export function readTextFiles(fs: RepoFs, scan: RepoScan): RepoTextFile[] {
  const out: RepoTextFile[] = [];
  for (const path of scan.files) {
    if (BINARY_EXTENSIONS.test(path)) continue;
    try {
      out.push({ path, text: fs.readFile(path) });
    } catch {
      // binary or too large: not text to scan
    }
  }
  return out;
}
