import type { Application, Project } from '../resources/index.ts';

/** `*` and `?` globs, anchored (Argo CD's project patterns). */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

export interface KindRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

/** The API group of an apiVersion (`ployd.ai/v1` → `ployd.ai`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i === -1 ? '' : apiVersion.slice(0, i);
}

/**
 * What a project forbids about an application at sync time (Argo CD AppProject semantics): its
 * source repo, its destination (environment, namespace, cluster) and the kinds it deploys.
 * Empty = permitted. Pure.
 */
export function projectViolations(project: Project | undefined, app: Application, repoURL: string, environment: string, kinds: readonly KindRef[]): string[] {
  const name = app.spec.project;
  if (!project) return name === 'default' ? [] : [`project ${name} is not defined in the repository`];
  const out: string[] = [];
  const spec = project.spec ?? { sourceRepos: ['*'], destinations: [{ namespace: '*', server: '*' }] };
  const source = app.spec.source.repoURL ?? repoURL;
  if (!(spec.sourceRepos ?? ['*']).some((p) => globMatch(p, source))) out.push(`project ${name} does not permit source repository ${source}`);
  const dest = app.spec.destination;
  const server = dest.server ?? dest.cluster ?? dest.name;
  const destOk = (spec.destinations ?? []).some((d) => {
    const envPattern = d.environment ?? d.namespace;
    if (envPattern !== undefined && !globMatch(envPattern, environment)) return false;
    const serverPattern = d.server ?? d.name;
    if (serverPattern !== undefined && server !== undefined && !globMatch(serverPattern, server)) return false;
    return true;
  });
  if (!destOk) out.push(`project ${name} does not permit destination environment ${environment}${server ? ` on ${server}` : ''}`);
  const matches = (list: readonly { group: string; kind: string }[], k: KindRef): boolean => list.some((g) => globMatch(g.group, k.group) && globMatch(g.kind, k.kind));
  for (const k of kinds) {
    const white = spec.namespaceResourceWhitelist;
    if (white !== undefined && !matches(white, k)) out.push(`project ${name} does not permit kind ${k.group ? `${k.group}/` : ''}${k.kind} (${k.name}): not in namespaceResourceWhitelist`);
    const black = spec.namespaceResourceBlacklist ?? [];
    if (matches(black, k)) out.push(`project ${name} denies kind ${k.group ? `${k.group}/` : ''}${k.kind} (${k.name}): in namespaceResourceBlacklist`);
  }
  return out;
}
