import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PloydError, sortDiagnostics, type Diagnostic } from '../errors/index.ts';
import { discoverEnvironments, loadRepo, nodeRepoFs, readTextFiles, scanRepo, type LoadedResource, type RepoFs, type RepoScan } from '../manifests/index.ts';
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
 * Loads and validates a repo for one environment or for each it has. Findings that show up in
 * several environments (a base file's error) are reported once.
 */
export function validateRepo(dir: string, environment?: string): RepoValidation {
  const { root, fs, scan } = openRepo(dir);
  const shared = loadRepo(fs, scan);
  const environments = discoverEnvironments(fs, scan, shared);
  if (environment !== undefined && environments.length > 0 && !environments.includes(environment)) {
    throw new PloydError('E_ENV_NOT_FOUND', `environment ${environment} not found; the repo has: ${environments.join(', ')}`, {
      environment,
    });
  }
  const targets: (string | undefined)[] = environment !== undefined ? [environment] : environments.length > 0 ? environments : [undefined];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const push = (ds: readonly Diagnostic[]): void => {
    for (const d of ds) {
      const k = key(d);
      if (!seen.has(k)) {
        seen.add(k);
        diagnostics.push(d);
      }
    }
  };
  push(scan.diagnostics);
  push(checkRepoPaths(scan.files));
  push(scanSecrets(readTextFiles(fs, scan)));
  push(checkApplicationEnvironments(shared.resources, environments));
  const views: EnvironmentView[] = [];
  for (const env of targets) {
    const loaded = loadRepo(fs, scan, env !== undefined ? { environment: env } : {});
    push(loaded.diagnostics);
    push(validateResources(loaded.resources, { ...(env !== undefined ? { environment: env } : {}), pathExists: (p) => fs.exists(p) }));
    views.push({ environment: env, resources: loaded.resources });
  }
  return { root, environments, views, diagnostics: sortDiagnostics(diagnostics) };
}
