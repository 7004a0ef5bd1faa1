/**
 * How a config repo's folders map to environments, for both layouts of the seeds:
 *
 * - seed 001: `environments/<env>/…` belongs to <env>; `shared/…` and `clusters/<name>/…` belong to
 *   every environment (unless <name> is itself an environment name);
 * - seed 000: `applications/<app>/base` is only reached through `overlays/<env>`, which belongs to
 *   <env>; `argocd/applications` and `argocd/projects` belong to every environment (an Application
 *   then selects its environment by destination namespace); `clusters/<env>` belongs to <env>.
 *
 * Pure functions over repo-relative POSIX paths.
 */

/** Folder names whose children are environment names. */
const ENV_PARENTS = new Set(['environments', 'overlays', 'envs']);

/** Environment names declared by folder structure (`environments/<env>`, `…/overlays/<env>`). */
export function environmentsFromDirs(dirs: readonly string[]): string[] {
  const envs = new Set<string>();
  for (const d of dirs) {
    const parts = d.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      const parent = parts[i];
      const child = parts[i + 1];
      if (parent !== undefined && child !== undefined && ENV_PARENTS.has(parent)) envs.add(child);
    }
  }
  return [...envs].sort();
}

/**
 * The environment a path belongs to, or undefined when it belongs to all of them. A path belongs
 * to <env> when it sits under `environments/<env>`, `overlays/<env>` or `clusters/<env>`, or has a
 * folder named exactly <env> (e.g. `policies/production/…`).
 */
export function environmentOfPath(path: string, envs: ReadonlySet<string>): string | undefined {
  const dirs = path.split('/').slice(0, -1);
  for (let i = 0; i < dirs.length; i++) {
    const seg = dirs[i] ?? '';
    const next = dirs[i + 1];
    if (next !== undefined && (ENV_PARENTS.has(seg) || seg === 'clusters') && envs.has(next)) return next;
  }
  return dirs.find((d) => envs.has(d));
}

/** Whether a path is in a folder PloyD never reads: git's own data and installed packages. */
export function isIgnoredPath(path: string): boolean {
  return path.split('/').some((seg) => seg === '.git' || seg === 'node_modules');
}

/**
 * Whether a file may hold resources: not under a dot folder or a dot file (`.github/workflows`
 * holds CI YAML, not resources). Such files are still read by the secret scan.
 */
export function isResourcePath(path: string): boolean {
  return !path.split('/').some((seg) => seg.startsWith('.'));
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}
