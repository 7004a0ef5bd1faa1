import type { Diagnostic } from '../../errors/index.ts';
import { ofKind, type ResourceIndex } from '../context.ts';
import { finding } from '../locate.ts';
import type { ValidateOptions, ValidationInput } from '../types.ts';
import { valueAt } from '../written-path.ts';
import { findCycle } from './cycles.ts';

/** `https://github.com/org/repo.git/` and `git@github.com:org/repo` compare equal. */
export function normaliseRepoURL(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^git@([^:]+):/, 'https://$1/')
    .replace(/^(ssh|git|http|https):\/\/([^@/]+@)?/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** A repo-relative source path as the loader keys paths: no leading `./` or `/`, no trailing `/`. */
function repoRelative(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '') || '.';
}

/**
 * Application: dependsOn names existing applications without a cycle; the source path exists in
 * the repo (when the caller can tell, and the app's repoURL is this repo); the environment exists
 * when Environment resources are declared; ignoreDifferences uses only what the controller does.
 */
export function checkApplications(inputs: readonly ValidationInput[], index: ResourceIndex, options: ValidateOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const apps = ofKind(inputs, 'Application');
  const edges = new Map<string, string[]>();
  const firstByName = new Map<string, (typeof apps)[number]>();
  for (const a of apps) {
    const { input, resource } = a;
    const name = resource.metadata.name;
    // Cycle detection works on names; environments rarely differ in app dependencies, and a
    // cycle in any of them is a mistake.
    if (!firstByName.has(name)) firstByName.set(name, a);
    edges.set(name, [...(edges.get(name) ?? []), ...resource.spec.dependsOn.map((d) => d.name).filter((d) => d !== name)]);
    resource.spec.dependsOn.forEach((d, i) => {
      if (d.name === name) {
        out.push(finding(input, ['spec', 'dependsOn', i, 'name'], { code: 'E_DEPENDENCY_CYCLE', message: `application ${name} depends on itself` }));
      } else if (!index.exists('Application', d.name, input)) {
        out.push(
          finding(input, ['spec', 'dependsOn', i, 'name'], {
            code: 'E_REF_NOT_FOUND',
            message: `dependsOn names no Application ${d.name}`,
            suggestion: index.didYouMean('Application', d.name, input),
          }),
        );
      }
    });
    const src = resource.spec.source;
    const sameRepo = src.repoURL === undefined || options.repoURL === undefined || normaliseRepoURL(src.repoURL) === normaliseRepoURL(options.repoURL);
    if (options.pathExists && sameRepo) {
      const rel = repoRelative(src.path);
      if (rel.split('/').includes('..')) {
        out.push(finding(input, ['spec', 'source', 'path'], { code: 'E_PATH_ESCAPE', message: `source.path ${src.path} leaves the repository root` }));
      } else if (!options.pathExists(rel)) {
        out.push(
          finding(input, ['spec', 'source', 'path'], {
            code: 'E_FILE_NOT_FOUND',
            message: `source.path ${src.path} does not exist in the repository`,
          }),
        );
      }
    }
    // The controller compares by JSON pointer only: a jq or managed-fields rule would silently
    // compare more than its author meant to (the controller refuses such an app, too).
    resource.spec.ignoreDifferences.forEach((d, i) => {
      for (const field of ['jqPathExpressions', 'managedFieldsManagers'] as const) {
        if ((d[field]?.length ?? 0) === 0) continue;
        out.push(
          finding(input, ['spec', 'ignoreDifferences', i, field], {
            code: 'E_NOT_IMPLEMENTED_HERE',
            message: `ignoreDifferences.${field} is not supported by the PloyD controller`,
            suggestion: 'use jsonPointers (RFC 6901), e.g. /spec/replicas',
          }),
        );
      }
    });
    // Only an environment the user wrote is checked: a converted Argo CD app derives it from the
    // destination namespace (e.g. `argocd` for an app of apps), which need not be an Environment.
    const env = resource.spec.environment;
    if (env !== undefined && input.parsed.original === undefined && valueAt(input.parsed.manifest, ['spec', 'environment']) !== undefined && index.declares('Environment')) {
      if (!index.exists('Environment', env, input)) {
        out.push(
          finding(input, ['spec', 'environment'], {
            code: 'E_REF_NOT_FOUND',
            message: `environment ${env} names no Environment`,
            suggestion: index.didYouMean('Environment', env, input) ?? `environments are ${index.names('Environment', input).join(', ')}`,
          }),
        );
      }
    }
  }
  const cycle = findCycle([...firstByName.keys()], edges);
  if (cycle) {
    const first = firstByName.get(cycle[0] ?? '');
    if (first) {
      const i = first.resource.spec.dependsOn.findIndex((d) => d.name === cycle[1]);
      out.push(
        finding(first.input, ['spec', 'dependsOn', Math.max(i, 0)], {
          code: 'E_DEPENDENCY_CYCLE',
          message: `applications depend on each other in a cycle: ${cycle.join(' → ')}`,
          suggestion: 'remove one dependsOn edge of the cycle',
        }),
      );
    }
  }
  return out;
}
