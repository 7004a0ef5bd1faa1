import type { Diagnostic } from '../errors/index.ts';
import type { HealthStatus } from '../runtime/index.ts';
import { keyString, type FieldChange, type ResourceKey } from './diff.ts';
import type { HookResult } from './hooks.ts';
import { MANAGED_KINDS } from './live.ts';
import type { PlanStep } from './plan.ts';

/**
 * A sync in progress, persisted at its start and wherever a restart must not redo or lose
 * something (after hooks, before health waits, on stop); a restart resumes at `step`, re-running
 * only idempotent applies and prunes.
 */
export interface OperationState {
  readonly historyId: number;
  readonly revision: string;
  readonly initiatedBy: string;
  readonly prune: boolean;
  readonly plan: readonly PlanStep[];
  /** Index of the next step to run. */
  readonly step: number;
  readonly startedAt: string;
  readonly hooks: readonly HookResult[];
  readonly applied: readonly { kind: string; namespace: string; name: string; action: string }[];
}

/** One resource as `ployd app get` shows it. */
export interface ResourceStatus extends ResourceKey {
  readonly status: 'Synced' | 'OutOfSync' | 'NotActionable' | 'Deferred';
  readonly health?: HealthStatus;
  readonly message?: string;
  readonly changes?: readonly FieldChange[];
}

/** What the controller keeps per application (the `operation` column of the applications table). */
export interface AppState {
  /** Revision of the last successful sync. */
  readonly syncedRevision?: string;
  /** The revision desired state was last computed at. */
  readonly targetRevision?: string;
  /** Set by a rollback: the app stays at this revision. */
  readonly pinnedRevision?: string;
  /** Auto-sync suspended (by a rollback) until re-enabled. */
  readonly autoSyncDisabled?: boolean;
  /** Findings that refused the target revision (validation, policy, project, signature). */
  readonly diagnostics?: readonly Diagnostic[];
  readonly refusedRevision?: string;
  /** Human-readable conditions: waiting for a dependency, a failed sync, manual sync required. */
  readonly conditions?: readonly string[];
  readonly selfHeal?: { readonly attempts: number; readonly nextAt: number };
  readonly retry?: { readonly revision: string; readonly attempts: number; readonly nextAt: number };
  readonly operation?: OperationState;
  /** `code` (a failed sync's error code, e.g. E_HOOK_TIMEOUT) is absent on success. */
  readonly lastOperation?: { readonly phase: string; readonly message: string; readonly code?: string; readonly revision: string; readonly finishedAt: string };
  readonly resources?: readonly ResourceStatus[];
  /** What the controller has applied for this app and not pruned: where removals are looked for. */
  readonly managed?: readonly ResourceKey[];
  readonly reconciledAt?: string;
}

/** `managed` after an operation's applies and prunes (idempotent: replaying them changes nothing). */
export function withManaged(s: AppState, applied: OperationState['applied']): AppState {
  if (applied.length === 0) return s;
  const keys = new Map((s.managed ?? []).map((k) => [keyString(k), k]));
  for (const a of applied) {
    const k = { kind: a.kind, namespace: a.namespace, name: a.name };
    if (a.action === 'pruned') keys.delete(keyString(k));
    else if ((MANAGED_KINDS as readonly string[]).includes(a.kind)) keys.set(keyString(k), k);
  }
  return { ...s, managed: [...keys.values()] };
}
