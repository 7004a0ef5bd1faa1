import { describe, expect, it } from 'vitest';
import { backoffDelay, SELF_HEAL_BACKOFF } from './backoff.ts';
import { diffResources, diffValues, syncStatusOf, withoutPointers, type Json, type ResourceKey } from './diff.ts';
import { isWorse, rollUpHealth } from './health.ts';
import { orderByDependencies, planSync, syncWave } from './plan.ts';

const key = (kind: string, name: string): ResourceKey => ({ kind, namespace: 'dev', name });
const entry = (kind: string, name: string, value: Json) => [`${kind}/dev/${name}`, { key: key(kind, name), value }] as const;

describe('diff', () => {
  it('finds field changes by JSON pointer', () => {
    expect(diffValues({ spec: { replicas: 2, models: [{ w: 90 }, { w: 10 }] } }, { spec: { replicas: 3, models: [{ w: 90 }] } })).toEqual([
      { path: '/spec/replicas', desired: 2, live: 3 },
      { path: '/spec/models/1', desired: { w: 10 } },
    ]);
    expect(diffValues({ 'a/b': 1 }, { 'a/b': 2 })).toEqual([{ path: '/a~1b', desired: 1, live: 2 }]);
  });

  it('classifies resources and honours ignoreDifferences', () => {
    const desired = new Map([entry('ModelDeployment', 'a', { spec: { replicas: 2 } }), entry('GatewayRoute', 'r', { spec: { path: '/v1' } })]);
    const live = new Map([entry('ModelDeployment', 'a', { spec: { replicas: 5 } }), entry('ModelDeployment', 'old', { spec: {} })]);
    const diffs = diffResources(desired, live);
    expect(diffs.map((d) => [d.key.name, d.state])).toEqual([
      ['r', 'added'],
      ['a', 'modified'],
      ['old', 'removed'],
    ]);
    expect(syncStatusOf(diffs)).toBe('OutOfSync');
    const ignored = diffResources(desired, new Map([entry('ModelDeployment', 'a', { spec: { replicas: 5 } })]), [
      { group: 'ployd.ai', kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(ignored.find((d) => d.key.name === 'a')?.state).toBe('unchanged');
  });

  it('removes pointers without touching the input', () => {
    const v: Json = { spec: { a: 1, b: [1, 2, 3] } };
    expect(withoutPointers(v, ['/spec/a', '/spec/b/1'])).toEqual({ spec: { b: [1, 3] } });
    expect(v).toEqual({ spec: { a: 1, b: [1, 2, 3] } });
  });
});

describe('health', () => {
  it('rolls up to the worst child in Argo CD order', () => {
    expect(rollUpHealth([])).toBe('Healthy');
    expect(rollUpHealth(['Healthy', 'Progressing', 'Suspended'])).toBe('Progressing');
    expect(rollUpHealth(['Healthy', 'Degraded', 'Missing'])).toBe('Degraded');
    expect(isWorse('Missing', 'Progressing')).toBe(true);
    expect(isWorse('Healthy', 'Suspended')).toBe(false);
  });
});

describe('sync plan', () => {
  const diffs = diffResources(
    new Map([entry('GatewayRoute', 'r', {}), entry('ModelDeployment', 'm1', { x: 1 }), entry('ModelDeployment', 'm2', {}), entry('Namespace', 'ns', {})]),
    new Map([entry('ModelDeployment', 'm2', {}), entry('ModelDeployment', 'gone', {}), entry('GatewayRoute', 'old', {})]),
  );

  it('orders waves, kinds, prunes and hooks', () => {
    const waves = new Map([['GatewayRoute/dev/r', 1]]);
    const steps = planSync(diffs, waves, { prune: true, pruneLast: false, applyOutOfSyncOnly: true });
    expect(steps.map((s) => (s.type === 'hooks' ? `hooks:${s.phase}` : s.type === 'wait-healthy' ? `wait:${s.wave}` : `${s.type}:${s.wave}:${s.keys.map((k) => k.name).join(',')}`))).toEqual([
      'hooks:PreSync',
      'apply:0:ns,m1',
      'prune:0:old,gone',
      'wait:0',
      'apply:1:r',
      'wait:1',
      'hooks:PostSync',
    ]);
  });

  it('applies everything without ApplyOutOfSyncOnly, prunes last with PruneLast, never without prune', () => {
    const last = planSync(diffs, new Map(), { prune: true, pruneLast: true, applyOutOfSyncOnly: false });
    expect(last.at(-2)).toMatchObject({ type: 'prune' });
    expect(last.find((s) => s.type === 'apply')).toMatchObject({ keys: [key('Namespace', 'ns'), key('ModelDeployment', 'm1'), key('ModelDeployment', 'm2'), key('GatewayRoute', 'r')] });
    expect(planSync(diffs, new Map(), { prune: false, pruneLast: false, applyOutOfSyncOnly: true }).some((s) => s.type === 'prune')).toBe(false);
  });

  it('reads waves from both annotations', () => {
    expect(syncWave({ 'argocd.argoproj.io/sync-wave': '2' })).toBe(2);
    expect(syncWave({ 'ployd.ai/sync-wave': '-1', 'argocd.argoproj.io/sync-wave': '5' })).toBe(-1);
    expect(syncWave({ 'ployd.ai/sync-wave': 'soon' })).toBe(0);
    expect(syncWave(undefined)).toBe(0);
  });

  it('orders applications after their dependencies', () => {
    const apps = [
      { name: 'phase3', dependsOn: ['phase2'] },
      { name: 'phase2', dependsOn: ['phase1'] },
      { name: 'phase1', dependsOn: [] },
    ];
    expect(orderByDependencies(apps).map((a) => a.name)).toEqual(['phase1', 'phase2', 'phase3']);
  });
});

describe('backoff', () => {
  it('grows and caps', () => {
    expect([0, 1, 2, 10].map((n) => backoffDelay(n, SELF_HEAL_BACKOFF))).toEqual([5000, 10000, 20000, 300000]);
  });
});

describe('metrics', () => {
  it('keeps one ployd_app_info series per app', async () => {
    const { ControllerMetrics } = await import('./metrics.ts');
    const m = new ControllerMetrics();
    const labels = { name: 'a', project: 'p', environment: 'dev', sync_status: 'OutOfSync', health_status: 'Missing', autosync_enabled: 'true' };
    m.setAppInfo(labels);
    m.setAppInfo({ ...labels, sync_status: 'Synced', health_status: 'Healthy' });
    m.syncTotal.inc({ phase: 'Succeeded' });
    const text = await m.registry.metrics();
    expect(text.match(/^ployd_app_info\{/gm)).toHaveLength(1);
    expect(text).toContain('sync_status="Synced"');
    expect(text).toContain('ployd_app_sync_total{phase="Succeeded"} 1');
  });
});

describe('project checks', () => {
  it('enforces source repos, destinations and kind lists', async () => {
    const { projectViolations } = await import('./project-check.ts');
    const { Application, Project } = await import('../resources/index.ts');
    const app = Application.parse({ apiVersion: 'ployd.ai/v1', kind: 'Application', metadata: { name: 'x' }, spec: { project: 'p', environment: 'production', source: { path: 'x' } } });
    const project = Project.parse({
      apiVersion: 'ployd.ai/v1',
      kind: 'Project',
      metadata: { name: 'p' },
      spec: { sourceRepos: ['https://git.example.com/*'], destinations: [{ environment: 'dev' }], namespaceResourceBlacklist: [{ group: '*', kind: 'Policy' }] },
    });
    const v = projectViolations(project, app, '/tmp/repo', 'production', [{ group: 'ployd.ai', kind: 'Policy', name: 'p1' }, { group: 'ployd.ai', kind: 'ModelDeployment', name: 'm' }]);
    expect(v).toHaveLength(3);
    expect(v.join('\n')).toMatch(/source repository \/tmp\/repo/);
    expect(v.join('\n')).toMatch(/destination environment production/);
    expect(v.join('\n')).toMatch(/denies kind ployd.ai\/Policy \(p1\)/);
    expect(projectViolations(undefined, app, 'r', 'dev', [])).toEqual(['project p is not defined in the repository']);
  });
});
