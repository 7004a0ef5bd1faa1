import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PloydError, sortDiagnostics, type Diagnostic } from '../errors/index.ts';
import { discoverEnvironments, loadRepo, nodeRepoFs, readTextFiles, scanRepo, type LoadedResource, type LoadResult, type RepoFs, type RepoScan } from '../manifests/index.ts';
import { suggest } from '../resources/index.ts';
import { checkRepoPaths, scanSecrets, validateResources } from '../validation/index.ts';

export interface EnvironmentView {
  readonly environment: string | undefined;
  readonly resources: readonly LoadedResource[];
}

export interface RepoValidation {
  readonly root: string;
  readonly environments: readonly string[];
  readonly views: readonly EnvironmentView[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Opens a config repo folder, refusing what is not one (exit 2 in the CLI). */
export function openRepo(dir: string): { root: string; fs: RepoFs; scan: RepoScan } {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new PloydError('E_REPO_NOT_FOUND', `config repo folder not found: ${dir}`, { path: dir });
  }
  // One pass over a snapshot: keep file texts, which the secret scan and each environment read again.
  const fs = nodeRepoFs(root, { keepTexts: true });
  return { root, fs, scan: scanRepo(fs) };
}

/**
 * A native Application naming an environment the repo does not have would otherwise belong to no
 * environment's view and never be validated; report it. (Argo CD Applications name a namespace,
 * which may be a control-plane one such as `argocd` for an app of apps.)
 */
function checkApplicationEnvironments(resources: readonly LoadedResource[], environments: readonly string[]): Diagnostic[] {
  if (environments.length === 0) return [];
  const out: Diagnostic[] = [];
  for (const r of resources) {
    const res = r.parsed.resource;
    if (res.kind !== 'Application' || r.parsed.original !== undefined || !('spec' in res)) continue;
    const env = (res.spec as { environment?: string }).environment;
    if (env === undefined || environments.includes(env)) continue;
    const pos = r.locate(['spec', 'environment']);
    const s = suggest(env, environments);
    out.push({
      severity: 'error',
      code: 'E_REF_NOT_FOUND',
      message: `Application ${res.metadata.name} names environment ${env}, which the repo does not have (${environments.join(', ')})`,
      file: r.file,
      line: pos.line,
      column: pos.column,
      path: 'spec.environment',
      ...(s ? { suggestion: `did you mean ${s}?` } : {}),
    });
  }
  return out;
}

function key(d: Diagnostic): string {
  return `${d.file ?? ''}:${d.line ?? ''}:${d.column ?? ''}:${d.code}:${d.path ?? ''}:${d.message}`;
}

/**
 * Collects findings in the order they are pushed, each once: findings that show up in several
 * environments (a base file's error) are reported once. `sortDiagnostics` is stable, so the order
 * of pushes decides the order of findings on the same position; every path (one thread or
 * several) pushes in the same order.
 */
export class DiagnosticSet {
  private readonly seen = new Set<string>();
  private readonly list: Diagnostic[] = [];

  push(ds: readonly Diagnostic[]): void {
    for (const d of ds) {
      const k = key(d);
      if (!this.seen.has(k)) {
        this.seen.add(k);
        this.list.push(d);
      }
    }
  }

  sorted(): Diagnostic[] {
    return sortDiagnostics(this.list);
  }
}

/** What every environment shares: the opened repo, its environments and the repo-wide findings. */
export interface PreparedRepo {
  readonly root: string;
  readonly fs: RepoFs;
  readonly scan: RepoScan;
  readonly environments: readonly string[];
  /** The environments to render: the one asked for, else each the repo has, else one view of all. */
  readonly targets: readonly (string | undefined)[];
  readonly shared: LoadResult;
}

/**
 * Opens the repo and works out what every environment shares. `onScanned` runs once the repo is
 * scanned, before the rest (`ployd validate` starts its worker thread there).
 */
export function prepareRepo(dir: string, environment?: string, onScanned?: (scan: RepoScan) => void): PreparedRepo {
  const { root, fs, scan } = openRepo(dir);
  onScanned?.(scan);
  const shared = loadRepo(fs, scan);
  const environments = discoverEnvironments(fs, scan, shared);
  if (environment !== undefined && environments.length > 0 && !environments.includes(environment)) {
    throw new PloydError('E_ENV_NOT_FOUND', `environment ${environment} not found; the repo has: ${environments.join(', ')}`, {
      environment,
    });
  }
  const targets: (string | undefined)[] = environment !== undefined ? [environment] : environments.length > 0 ? environments : [undefined];
  return {
    root,
    fs,
    scan,
    environments,
    targets,
    shared,
  };
}

/** Repo-wide findings (scan, paths, secrets, Applications), in push order. */
export function repoDiagnostics(repo: PreparedRepo): (readonly Diagnostic[])[] {
  return [
    repo.scan.diagnostics,
    checkRepoPaths(repo.scan.files),
    scanSecrets(readTextFiles(repo.fs, repo.scan)),
    checkApplicationEnvironments(repo.shared.resources, repo.environments),
  ];
}

/** Renders and validates one environment: its resources, and its load then validation findings. */
export function validateEnvironment(
  fs: RepoFs,
  scan: RepoScan,
  env: string | undefined,
): { resources: readonly LoadedResource[]; diagnostics: readonly (readonly Diagnostic[])[] } {
  const loaded = loadRepo(fs, scan, env !== undefined ? { environment: env } : {});
  const validated = validateResources(loaded.resources, { ...(env !== undefined ? { environment: env } : {}), pathExists: (p) => fs.exists(p) });
  return { resources: loaded.resources, diagnostics: [loaded.diagnostics, validated] };
}

/** Loads and validates a repo for one environment or for each it has. */
export function validateRepo(dir: string, environment?: string): RepoValidation {
  const repo = prepareRepo(dir, environment);
  const diagnostics = new DiagnosticSet();
  for (const ds of repoDiagnostics(repo)) diagnostics.push(ds);
  const views: EnvironmentView[] = [];
  for (const env of repo.targets) {
    const result = validateEnvironment(repo.fs, repo.scan, env);
    for (const ds of result.diagnostics) diagnostics.push(ds);
    views.push({ environment: env, resources: result.resources });
  }
  return { root: repo.root, environments: repo.environments, views, diagnostics: diagnostics.sorted() };
}
