import type { Application } from '../resources/index.ts';

/** Argo CD's cascading-delete finalizer (also with its `/foreground` and `/background` forms). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface RemovalDecision {
  /** Delete the app's live resources (through the SDK) before dropping the app. */
  readonly cascade: boolean;
  readonly reason: string;
}

/**
 * What happens when an Application disappears from Git. The controller plays the role Argo CD's
 * app-of-apps parent plays: the app is always dropped; its resources go with it when the app
 * carried the resources finalizer (as in Argo CD), or when its own automated policy prunes — the
 * same consent that deletes a resource removed from the app's path. In an environment whose
 * promotion is manual nothing is deleted without the finalizer: removing an app from Git must not
 * do there what a commit alone may not. Pure.
 */
export function removalDecision(app: Application, finalizers: readonly string[], manualEnvironment: boolean): RemovalDecision {
  const finalizer = finalizers.find((f) => f === RESOURCES_FINALIZER || f.startsWith(`${RESOURCES_FINALIZER}/`));
  if (finalizer) return { cascade: true, reason: `finalizer ${finalizer}` };
  if (app.spec.syncPolicy.automated?.prune) {
    if (manualEnvironment) return { cascade: false, reason: 'automated prune, but the environment promotes manually; add the resources finalizer to cascade' };
    return { cascade: true, reason: 'syncPolicy.automated.prune' };
  }
  return { cascade: false, reason: 'no resources finalizer and no automated prune' };
}

/** `metadata.finalizers` of a stored manifest. */
export function finalizersOf(manifest: Record<string, unknown>): string[] {
  const meta = manifest.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return [];
  const f = (meta as { finalizers?: unknown }).finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}
