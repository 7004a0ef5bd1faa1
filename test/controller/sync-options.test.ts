import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harness, simulatorModelYaml, TestRepo, type Harness } from './harness.ts';

let h!: Harness;
afterEach(async () => {
  await h.close();
});

const model = (name: string, wave: number, replicas = 1): string => simulatorModelYaml(name, { wave, replicas });
const app = (name: string, env: string, options: string[]): string => `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${name}
spec:
  environment: ${env}
  source:
    path: models
  syncPolicy:
    automated:
      prune: true
    syncOptions: [${options.join(', ')}]
`;
const applied = async (name: string) =>
  ((await h.controller.history(name))[0]?.resources ?? []) as { kind: string; name: string; action: string }[];

describe('controller: sync options on a real repo', () => {
  it('PruneLast=true deletes after every wave is applied and Healthy; without it the prune runs in its wave', async () => {
    const repo = new TestRepo();
    repo.write('apps/first.yaml', app('in-wave', 'dev', []));
    repo.write('apps/last.yaml', app('prune-last', 'staging', ['PruneLast=true']));
    repo.write('models/m.yaml', [model('keep', 0), model('gone', 0), model('late', 1)].join('---\n'));
    repo.commit('three models');
    h = await harness(repo);
    await h.controller.start();
    for (const a of ['in-wave', 'prune-last']) await eventually(async () => (await h.controller.get(a)).syncStatus === 'Synced', 8000, `${a} synced`);
    h.repo.write('models/m.yaml', [model('keep', 0), model('late', 1, 2)].join('---\n'));
    const sha = h.repo.commit('retire gone, scale late');
    h.runtime.calls.length = 0;
    await h.controller.refresh();
    for (const a of ['in-wave', 'prune-last']) await eventually(async () => (await h.controller.get(a)).revision === sha, 8000, `${a} at ${sha}`);
    const order = (ns: string) => h.runtime.calls.filter((c) => c.namespace === ns && c.name !== 'keep').map((c) => `${c.op}:${c.name}`);
    expect(order('dev')).toEqual(['delete:gone', 'apply:late']);
    expect(order('staging')).toEqual(['apply:late', 'delete:gone']);
    expect((await applied('prune-last')).map((r) => `${r.action}:${r.name}`)).toEqual(['applied:keep', 'applied:late', 'pruned:gone']);
  });

  it('per-resource annotations, read from the live object once it left Git: PruneLast=true defers its prune, Prune=false keeps it', async () => {
    const repo = new TestRepo();
    repo.write('apps/dev.yaml', app('annotated', 'dev', []));
    const annotated = (name: string, options: string) =>
      model(name, 0).replace('    argocd.argoproj.io/sync-wave: "0"\n', `    argocd.argoproj.io/sync-wave: "0"\n    argocd.argoproj.io/sync-options: ${options}\n`);
    repo.write('models/m.yaml', [annotated('last', 'PruneLast=true'), annotated('kept', 'Prune=false'), model('late', 1)].join('---\n'));
    repo.commit('annotated models');
    h = await harness(repo);
    await h.controller.start();
    await eventually(async () => (await h.controller.get('annotated')).syncStatus === 'Synced', 8000, 'synced');
    h.repo.write('models/m.yaml', model('late', 1, 2));
    const sha = h.repo.commit('remove both, scale late');
    h.runtime.calls.length = 0;
    await h.controller.refresh();
    await eventually(async () => (await h.controller.history('annotated'))[0]?.revision === sha && (await h.controller.history('annotated'))[0]?.phase === 'Succeeded', 8000, 'synced');
    expect(h.runtime.calls.map((c) => `${c.op}:${c.name}`)).toEqual(['apply:late', 'delete:last']);
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'kept' })).resource.spec.replicas).toBe(1);
    await h.controller.idle();
    const view = await h.controller.get('annotated');
    expect(view.syncStatus).toBe('OutOfSync');
    expect(view.resources.find((r) => r.name === 'kept')).toMatchObject({ status: 'OutOfSync' });
  });

  it('ApplyOutOfSyncOnly=true applies only what differs; without it every resource of the app is applied', async () => {
    const repo = new TestRepo();
    repo.write('apps/all.yaml', app('apply-all', 'dev', []));
    repo.write('apps/only.yaml', app('apply-oos', 'staging', ['ApplyOutOfSyncOnly=true']));
    repo.write('models/m.yaml', [model('a', 0), model('b', 0)].join('---\n'));
    repo.commit('two models');
    h = await harness(repo);
    await h.controller.start();
    for (const a of ['apply-all', 'apply-oos']) await eventually(async () => (await h.controller.get(a)).syncStatus === 'Synced', 8000, `${a} synced`);
    h.repo.write('models/m.yaml', [model('a', 0), model('b', 0, 3)].join('---\n'));
    const sha = h.repo.commit('scale b');
    await h.controller.refresh();
    for (const a of ['apply-all', 'apply-oos']) await eventually(async () => (await h.controller.get(a)).revision === sha, 8000, `${a} at ${sha}`);
    expect((await applied('apply-all')).map((r) => r.name)).toEqual(['a', 'b']);
    expect((await applied('apply-oos')).map((r) => r.name)).toEqual(['b']);
    expect((await h.ployd.modelServing.getModel({ namespace: 'staging', name: 'b' })).resource.spec.replicas).toBe(3);
  });
});
