import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harness, QUICKSTART, TestRepo, type Harness } from './harness.ts';

let h!: Harness;
let open: Harness | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});
async function setup(...args: Parameters<typeof harness>): Promise<Harness> {
  h = await harness(...args);
  open = h;
  return h;
}

const appOf = (name: string) => h.controller.get(name);

describe('controller: reconcile loop on a real git repo', () => {
  it('a commit brings dev and staging up; production waits for a manual sync; audit names the commit', async () => {
    await setup(new TestRepo(QUICKSTART));
    await h.controller.start();
    const head = h.repo.git('rev-parse', 'HEAD').trim();
    const dev = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.syncStatus === 'Synced' && a.healthStatus === 'Healthy' ? a : undefined;
    }, 8000, 'dev synced');
    expect(dev.revision).toBe(head);
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'chat-v1' })).resource.spec.replicas).toBe(1);
    expect((await h.ployd.modelServing.getModel({ namespace: 'staging', name: 'chat-v1' })).resource.spec.replicas).toBe(2);
    const route = await h.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' });
    expect(route.resource.spec.models?.map((m) => m.weight)).toEqual([90, 10]);
    await h.controller.idle();
    const prod = await appOf('quickstart-production');
    expect(prod.syncStatus).toBe('OutOfSync');
    expect(prod.conditions.join(' ')).toMatch(/manual sync/);
    await expect(h.ployd.modelServing.getModel({ namespace: 'production', name: 'chat-v1' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const audit = await h.ployd.audit.list({ limit: 50 });
    const deploy = audit.items.find((e) => e.resource === 'ModelDeployment/dev/chat-v1');
    expect(deploy).toMatchObject({ via: 'gitops', commit: head });
    const history = await h.controller.history('quickstart-dev');
    expect(history[0]).toMatchObject({ revision: head, phase: 'Succeeded', author: 'Test Author <test@example.com>', message: 'initial' });
  });

  it('a route weight commit applies; a bad commit is refused and the last good state stays', async () => {
    await setup(new TestRepo(QUICKSTART));
    await h.controller.start();
    await eventually(async () => (await appOf('quickstart-dev')).syncStatus === 'Synced', 8000, 'dev synced');
    h.repo.edit('base/route.yaml', 'weight: 90', 'weight: 50');
    h.repo.edit('base/route.yaml', 'weight: 10', 'weight: 50');
    const good = h.repo.commit('split 50/50');
    await h.controller.refresh();
    await eventually(async () => (await appOf('quickstart-dev')).revision === good, 8000, 'weights applied');
    expect((await h.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.models?.map((m) => m.weight)).toEqual([50, 50]);

    // A route to a model that does not exist, and a replica count that breaks the schema.
    h.repo.edit('base/route.yaml', 'name: chat-v2', 'name: chat-v3');
    h.repo.edit('base/models.yaml', 'replicas: 1', 'replicas: many');
    const bad = h.repo.commit('broken');
    await h.controller.refresh();
    const app = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.diagnostics.length > 0 ? a : undefined;
    }, 8000, 'diagnostics');
    expect(app.revision).toBe(good);
    expect(app.syncStatus).toBe('Unknown');
    expect(app.conditions[0]).toContain(bad.slice(0, 12));
    expect(app.diagnostics.some((d) => d.file === 'base/models.yaml')).toBe(true);
    expect((await h.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.models?.map((m) => m.name)).toEqual(['chat-v1', 'chat-v2']);
    expect((await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'chat-v2' })).resource.spec.replicas).toBe(1);
  });

  it('a manual scale through the SDK shows OutOfSync, then self-heals', async () => {
    await setup(new TestRepo(QUICKSTART), { selfHealBackoff: { base: 2000, factor: 2, max: 5000 } });
    await h.controller.start();
    await eventually(async () => (await appOf('quickstart-dev')).syncStatus === 'Synced', 8000, 'dev synced');
    await h.ployd.modelServing.scaleModel({ namespace: 'dev', name: 'chat-v1' }, 4, { subject: 'alice', groups: [], via: 'cli' });
    await h.controller.enqueueAll();
    const drifted = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.syncStatus === 'OutOfSync' ? a : undefined;
    }, 10_000, 'OutOfSync');
    expect(drifted.resources.find((r) => r.name === 'chat-v1')?.changes).toEqual([{ path: '/spec/replicas', desired: 1, live: 4 }]);
    await eventually(async () => (await h.ployd.modelServing.getModel({ namespace: 'dev', name: 'chat-v1' })).resource.spec.replicas === 1, 15_000, 'self-heal');
    await eventually(async () => (await appOf('quickstart-dev')).syncStatus === 'Synced', 15_000, 'Synced again');
    const audit = await h.ployd.audit.list({ limit: 100 });
    expect(audit.items.filter((e) => e.resource === 'ModelDeployment/dev/chat-v1' && e.via === 'gitops').length).toBeGreaterThanOrEqual(2);
  });

  it('prunes what left Git, keeps it without prune', async () => {
    await setup(new TestRepo(QUICKSTART));
    await h.controller.start();
    await eventually(async () => (await appOf('quickstart-staging')).syncStatus === 'Synced', 8000, 'synced');
    h.repo.edit('base/route.yaml', / {2}- name: chat-v2\n {4}weight: 10\n {4}priority: 2\n/, '');
    h.repo.edit('base/route.yaml', 'weight: 90', 'weight: 100');
    h.repo.edit('base/models.yaml', /---\napiVersion: ployd.ai\/v1\nkind: ModelDeployment\nmetadata:\n {2}name: chat-v2[\s\S]*$/, '');
    const sha = h.repo.commit('retire v2');
    await h.controller.refresh();
    await eventually(async () => (await appOf('quickstart-staging')).revision === sha && (await appOf('quickstart-staging')).syncStatus === 'Synced', 8000, 'pruned');
    await expect(h.ployd.modelServing.getModel({ namespace: 'staging', name: 'chat-v2' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const hist = await h.controller.history('quickstart-staging');
    expect(JSON.stringify(hist[0]?.resources)).toContain('pruned');
  });

  it('rollback pins the revision and suspends auto-sync until re-enabled', async () => {
    await setup(new TestRepo(QUICKSTART));
    await h.controller.start();
    const first = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.syncStatus === 'Synced' ? a : undefined;
    }, 8000, 'synced');
    h.repo.edit('base/route.yaml', 'weight: 90', 'weight: 70');
    h.repo.edit('base/route.yaml', 'weight: 10', 'weight: 30');
    const second = h.repo.commit('70/30');
    await h.controller.refresh();
    await eventually(async () => (await appOf('quickstart-dev')).revision === second, 8000, 'second synced');
    const hist = await h.controller.history('quickstart-dev');
    const entry = hist.find((e) => e.revision === first.revision);
    await h.controller.rollback('quickstart-dev', entry!.id, { subject: 'sre', groups: [], via: 'cli' });
    await eventually(async () => (await appOf('quickstart-dev')).revision === first.revision, 8000, 'rolled back');
    expect((await h.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.models?.map((m) => m.weight)).toEqual([90, 10]);
    const pinned = await appOf('quickstart-dev');
    expect(pinned).toMatchObject({ autoSync: false, pinnedRevision: first.revision });
    // A new commit is not applied while pinned.
    h.repo.edit('base/route.yaml', 'weight: 70', 'weight: 60');
    h.repo.edit('base/route.yaml', 'weight: 30', 'weight: 40');
    const third = h.repo.commit('60/40');
    await h.controller.refresh();
    await h.controller.idle();
    expect((await appOf('quickstart-dev')).revision).toBe(first.revision);
    await h.controller.sync('quickstart-dev', { actor: { subject: 'sre', groups: [], via: 'cli' }, resumeAutoSync: true });
    await eventually(async () => (await appOf('quickstart-dev')).revision === third, 8000, 'resumed');
    expect((await appOf('quickstart-dev')).autoSync).toBe(true);
  });
});
