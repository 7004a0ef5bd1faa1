import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harness, QUICKSTART, TestRepo, type Harness } from './harness.ts';

let h!: Harness;
afterEach(async () => {
  await h.close();
});

const names = async () => (await h.controller.list()).map((a) => a.name).sort();
const model = (namespace: string, name: string) => h.ployd.modelServing.getModel({ namespace, name });
const removals = async () => (await h.ployd.audit.list({ limit: 200 })).items.filter((e) => e.action === 'application.remove');

describe('controller: applications removed from Git', () => {
  it('with automated prune the resources are deleted through the SDK; without, they are kept and reported; the apps go', async () => {
    const repo = new TestRepo(QUICKSTART);
    repo.edit('apps/staging.yaml', '      prune: true\n', '');
    repo.commit('staging without prune');
    h = await harness(repo);
    await h.controller.start();
    for (const app of ['quickstart-dev', 'quickstart-staging']) await eventually(async () => (await h.controller.get(app)).syncStatus === 'Synced', 8000, `${app} synced`);
    expect(await names()).toEqual(['quickstart-dev', 'quickstart-production', 'quickstart-staging']);

    h.repo.remove('apps/dev.yaml');
    h.repo.remove('apps/staging.yaml');
    const sha = h.repo.commit('retire dev and staging');
    await h.controller.refresh();
    await eventually(async () => (await names()).length === 1, 8000, 'apps removed');
    await h.controller.idle();
    expect(await names()).toEqual(['quickstart-production']);
    await expect(h.controller.get('quickstart-dev')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });

    // dev (automated prune): routes and models deleted, by GitOps, naming the commit.
    await expect(model('dev', 'chat-v1')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(model('dev', 'chat-v2')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(h.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const audit = (await h.ployd.audit.list({ limit: 200 })).items;
    expect(audit.find((e) => e.resource === 'ModelDeployment/dev/chat-v1' && e.action === 'model.delete')).toMatchObject({ via: 'gitops', commit: sha });
    expect(h.runtime.calls.some((c) => c.op === 'delete' && c.namespace === 'dev' && c.name === 'chat-v1')).toBe(true);

    // staging (no prune): resources stay, the removal is reported with what was kept.
    expect((await model('staging', 'chat-v1')).resource.spec.replicas).toBe(2);
    expect(h.runtime.calls.some((c) => c.op === 'delete' && c.namespace === 'staging')).toBe(false);
    const rows = await removals();
    expect(rows.find((e) => e.resource === 'Application/quickstart-dev')).toMatchObject({
      via: 'gitops',
      commit: sha,
      // Routes go before the models they send traffic to.
      after: { cascade: true, reason: 'syncPolicy.automated.prune', deleted: ['GatewayRoute/dev/chat', 'ModelDeployment/dev/chat-v2', 'ModelDeployment/dev/chat-v1'] },
    });
    const staging = rows.find((e) => e.resource === 'Application/quickstart-staging');
    expect(staging).toMatchObject({ via: 'gitops', commit: sha, after: { cascade: false } });
    expect((staging?.after as { kept: string[] }).kept.sort()).toEqual(['GatewayRoute/staging/chat', 'ModelDeployment/staging/chat-v1', 'ModelDeployment/staging/chat-v2']);
    expect(await h.store.applications.history('quickstart-dev', 10)).toEqual([]);
  });

  it('an app whose file stops parsing is not taken for removed; Argo CD resources-finalizer cascades without prune', async () => {
    const repo = new TestRepo();
    repo.write(
      'apps/argo.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: argo-chat
  finalizers:
  - resources-finalizer.argocd.argoproj.io
spec:
  project: default
  source:
    repoURL: ${repo.dir}
    path: chat
  destination:
    namespace: dev
`,
    );
    repo.write(
      'chat/m.yaml',
      `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: solo
spec:
  model:
    name: solo
    framework: simulator
    path: hf://example/solo
  replicas: 1
`,
    );
    repo.commit('an Argo CD app, manual sync');
    h = await harness(repo);
    await h.controller.start();
    await h.controller.idle();
    await h.controller.sync('argo-chat', { actor: { subject: 'sre', groups: [], via: 'cli' } });
    expect((await model('dev', 'solo')).resource.spec.replicas).toBe(1);

    // A broken file: the app is not in the catalog, but the head was not read in full.
    h.repo.write('apps/argo.yaml', `${h.repo.read('apps/argo.yaml')}  syncPolicy: [unclosed\n`);
    h.repo.commit('broken YAML');
    await h.controller.refresh();
    await h.controller.idle();
    expect(await names()).toEqual(['argo-chat']);
    expect((await model('dev', 'solo')).resource.spec.replicas).toBe(1);

    h.repo.remove('apps/argo.yaml');
    const sha = h.repo.commit('remove the app');
    await h.controller.refresh();
    await eventually(async () => (await names()).length === 0, 8000, 'app removed');
    await expect(model('dev', 'solo')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    expect((await removals())[0]).toMatchObject({ commit: sha, after: { cascade: true, reason: 'finalizer resources-finalizer.argocd.argoproj.io', deleted: ['ModelDeployment/dev/solo'] } });
  });
});
