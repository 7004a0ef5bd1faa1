import { describe, expect, it } from 'vitest';
import type { ResourceDiff } from './diff.ts';
import { planSync, resourceSyncOptions, type PlanStep } from './plan.ts';

const removed = (name: string, annotations?: Record<string, string>): ResourceDiff => ({
  key: { kind: 'ModelDeployment', namespace: 'dev', name },
  state: 'removed',
  changes: [],
  ...(annotations ? { annotations } : {}),
});
const added = (name: string): ResourceDiff => ({ key: { kind: 'ModelDeployment', namespace: 'dev', name }, state: 'added', changes: [] });
const show = (steps: PlanStep[]) =>
  steps.map((s) => (s.type === 'hooks' ? s.phase : s.type === 'wait-healthy' ? `wait:${s.wave}` : `${s.type}:${Number.isFinite(s.wave) ? s.wave : 'last'}:${s.keys.map((k) => k.name).join(',')}`));

describe('per-resource sync options (Argo CD annotations)', () => {
  it('reads both annotations, comma-separated', () => {
    expect([...resourceSyncOptions({ 'argocd.argoproj.io/sync-options': 'Prune=false, PruneLast=true' })]).toEqual(['Prune=false', 'PruneLast=true']);
    expect([...resourceSyncOptions({ 'ployd.ai/sync-options': 'PruneLast=true' })]).toEqual(['PruneLast=true']);
    expect(resourceSyncOptions(undefined).size).toBe(0);
  });

  it('a removed resource keeps its live wave; PruneLast=true on it defers it, Prune=false keeps it', () => {
    const diffs = [
      added('new'),
      removed('old-wave-2', { 'argocd.argoproj.io/sync-wave': '2' }),
      removed('old-last', { 'argocd.argoproj.io/sync-options': 'PruneLast=true' }),
      removed('old-kept', { 'ployd.ai/sync-options': 'Prune=false' }),
    ];
    expect(show(planSync(diffs, new Map([['ModelDeployment/dev/new', 1]]), { prune: true, pruneLast: false, applyOutOfSyncOnly: true }))).toEqual([
      'PreSync',
      'apply:1:new',
      'wait:1',
      'prune:2:old-wave-2',
      'prune:last:old-last',
      'PostSync',
    ]);
    // App-level PruneLast moves every prune last; Prune=false still keeps its resource.
    expect(show(planSync(diffs, new Map([['ModelDeployment/dev/new', 1]]), { prune: true, pruneLast: true, applyOutOfSyncOnly: true }))).toEqual([
      'PreSync',
      'apply:1:new',
      'wait:1',
      'prune:last:old-wave-2,old-last',
      'PostSync',
    ]);
  });
});
