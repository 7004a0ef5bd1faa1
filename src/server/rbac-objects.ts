import type { Permission } from './route-table.ts';

/** Label naming the Project a model or route belongs to (Argo CD: `spec.project` of its Application). */
export const PROJECT_LABEL = 'ployd.ai/project';
/** Label naming the Application that manages it; defaults to the object's own name. */
export const APPLICATION_LABEL = 'ployd.ai/application';
export const DEFAULT_PROJECT = 'default';

interface Labelled {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>> | undefined } | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

function labelsOf(x: Labelled | undefined): Readonly<Record<string, string>> {
  return x?.metadata?.labels ?? x?.labels ?? {};
}

/**
 * Argo CD's object for things that live in an environment: `project/environment/application`.
 * The environment is the namespace (seed 000's overlays set `namespace: production`), so a policy
 * `llm-models/development/*` grants exactly the development environment.
 */
export function applicationObject(namespace: string, name: string, source?: Labelled): string {
  const labels = labelsOf(source);
  const project = labels[PROJECT_LABEL] ?? DEFAULT_PROJECT;
  const app = labels[APPLICATION_LABEL] ?? name;
  return `${project}/${namespace}/${app}`;
}

export function perm(resource: string, action: string, object: string): Permission {
  return { resource, action, object };
}

/** `applications, sync, llm-models/production/x` as the 403 message and the docs write it. */
export function formatPermission(p: Permission): string {
  return `${p.resource}, ${p.action}, ${p.object}`;
}
