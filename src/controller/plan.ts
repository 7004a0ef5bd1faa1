import type { ResourceDiff, ResourceKey } from './diff.ts';

/**
 * Sync planning: what to apply and delete, in which order. Pure; the controller executes the
 * steps and records progress so a restart resumes at the next step.
 */

export interface PlanResource {
  readonly key: ResourceKey;
  /** `ployd.ai/sync-wave` or `argocd.argoproj.io/sync-wave`, default 0. */
  readonly wave: number;
}

export type PlanStep =
  | { readonly type: 'hooks'; readonly phase: 'PreSync' | 'PostSync' }
  | { readonly type: 'apply'; readonly wave: number; readonly keys: readonly ResourceKey[] }
  | { readonly type: 'prune'; readonly wave: number; readonly keys: readonly ResourceKey[] }
  | { readonly type: 'wait-healthy'; readonly wave: number };

export interface PlanOptions {
  readonly prune: boolean;
  readonly pruneLast: boolean;
  readonly applyOutOfSyncOnly: boolean;
}

/** Kinds applied first within a wave: what others depend on (Argo CD applies Namespaces first, too). */
const KIND_ORDER = ['Namespace', 'Environment', 'Project', 'Policy', 'ConfigMap', 'Secret', 'Service', 'ModelDeployment', 'GatewayRoute', 'CanaryDeployment', 'ModelRollout'];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

function byKindThenName(a: ResourceKey, b: ResourceKey): number {
  return kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

/** The order deletions run in: reverse kind order, so routes go before the models they use. */
export function deletionOrder(keys: readonly ResourceKey[]): ResourceKey[] {
  return [...keys].sort(byKindThenName).reverse();
}

export const WAVE_ANNOTATIONS = ['ployd.ai/sync-wave', 'argocd.argoproj.io/sync-wave'] as const;

export const SYNC_OPTIONS_ANNOTATIONS = ['ployd.ai/sync-options', 'argocd.argoproj.io/sync-options'] as const;

/** A resource's own sync options (`Prune=false,PruneLast=true`), from either annotation. */
export function resourceSyncOptions(annotations: Readonly<Record<string, string>> | undefined): Set<string> {
  const out = new Set<string>();
  for (const a of SYNC_OPTIONS_ANNOTATIONS) for (const o of (annotations?.[a] ?? '').split(',')) if (o.trim() !== '') out.add(o.trim());
  return out;
}

/** A resource's wave from its annotations; invalid values count as 0, as Argo CD does. */
export function syncWave(annotations: Readonly<Record<string, string>> | undefined): number {
  for (const a of WAVE_ANNOTATIONS) {
    const v = annotations?.[a];
    if (v !== undefined && /^-?\d+$/.test(v.trim())) return Number(v);
  }
  return 0;
}

/**
 * Orders a sync: PreSync hooks; per wave (ascending) the applies, then prunes of that wave (unless
 * PruneLast), then a wait until the wave is healthy; prunes last when PruneLast; PostSync hooks.
 * Removals are pruned only when prune is on (otherwise they stay, and the app stays OutOfSync).
 */
export function planSync(diffs: readonly ResourceDiff[], waves: ReadonlyMap<string, number>, options: PlanOptions): PlanStep[] {
  // A removed resource is in no desired wave map: its own (live) annotations give its wave.
  const waveByKey = new Map(diffs.map((d) => [`${d.key.kind}/${d.key.namespace}/${d.key.name}`, waves.get(`${d.key.kind}/${d.key.namespace}/${d.key.name}`) ?? syncWave(d.annotations)]));
  const waveOf = (k: ResourceKey): number => waveByKey.get(`${k.kind}/${k.namespace}/${k.name}`) ?? 0;
  const applies = diffs.filter((d) => d.state === 'added' || d.state === 'modified' || (!options.applyOutOfSyncOnly && d.state === 'unchanged'));
  // Argo CD's per-resource sync options: `Prune=false` keeps it, `PruneLast=true` defers it.
  const prunable = options.prune ? diffs.filter((d) => d.state === 'removed' && !resourceSyncOptions(d.annotations).has('Prune=false')) : [];
  const last = prunable.filter((d) => options.pruneLast || resourceSyncOptions(d.annotations).has('PruneLast=true'));
  const prunes = prunable.filter((d) => !last.includes(d));
  const allWaves = [...new Set([...applies, ...prunes].map((d) => waveOf(d.key)))].sort((a, b) => a - b);
  const steps: PlanStep[] = [{ type: 'hooks', phase: 'PreSync' }];
  for (const wave of allWaves) {
    const a = applies.filter((d) => waveOf(d.key) === wave).map((d) => d.key).sort(byKindThenName);
    if (a.length > 0) steps.push({ type: 'apply', wave, keys: a });
    // Deleting in reverse kind order: routes before the models they point at.
    const p = prunes.filter((d) => waveOf(d.key) === wave).map((d) => d.key).sort(byKindThenName).reverse();
    if (p.length > 0) steps.push({ type: 'prune', wave, keys: p });
    if (a.length > 0) steps.push({ type: 'wait-healthy', wave });
  }
  if (last.length > 0) {
    steps.push({ type: 'prune', wave: Number.POSITIVE_INFINITY, keys: last.map((d) => d.key).sort(byKindThenName).reverse() });
  }
  steps.push({ type: 'hooks', phase: 'PostSync' });
  return steps;
}

/**
 * Applications ordered so each comes after those it depends on (dependsOn); a cycle is reported
 * by the validator, here its members simply keep their input order.
 */
export function orderByDependencies<T extends { name: string; dependsOn: readonly string[] }>(apps: readonly T[]): T[] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (a: T): void => {
    const s = state.get(a.name);
    if (s === 'done' || s === 'visiting') return;
    state.set(a.name, 'visiting');
    for (const dep of a.dependsOn) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    state.set(a.name, 'done');
    out.push(a);
  };
  apps.forEach(visit);
  return out;
}
