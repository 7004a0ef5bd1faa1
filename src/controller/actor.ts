import type { Actor } from '../sdk/index.ts';

/** The subject of every change the controller makes on its own (auto-sync, self-heal, prune, removal). */
export const GITOPS_SUBJECT = 'system:gitops';

/** The actor of a GitOps change: the audit log says it came from GitOps, with the commit. */
export function gitopsActor(revision: string, subject = GITOPS_SUBJECT, groups: readonly string[] = ['role:admin']): Actor {
  return { subject, groups, via: 'gitops', commit: revision };
}
