import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harness, QUICKSTART, TestRepo, type Harness } from './harness.ts';

let h!: Harness;
afterEach(async () => {
  await h.close();
});

const appOf = (name: string) => h.controller.get(name);
const weights = async (ns: string) => (await h.ployd.aiGateway.getRoute({ namespace: ns, name: 'chat' })).resource.spec.models?.map((m) => m.weight);
const alice = { subject: 'alice', groups: [], via: 'cli' as const };

describe('controller: commits refused as a whole', () => {
  it('a commit with a plaintext secret is never applied, not even its valid changes; removing it applies', async () => {
    h = await harness(new TestRepo(QUICKSTART));
    await h.controller.start();
    const good = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.syncStatus === 'Synced' ? a : undefined;
    }, 8000, 'dev synced');
    // A valid route change and, in another file of the same commit, a committed password.
    h.repo.edit('base/route.yaml', 'weight: 90', 'weight: 50');
    h.repo.edit('base/route.yaml', 'weight: 10', 'weight: 50');
    h.repo.write('shared/db.env', 'DB_HOST=db.internal\nDB_PASSWORD=hunter2-Correct-Horse\n');
    const leaked = h.repo.commit('split 50/50 (and a leaked password)');
    await h.controller.refresh();
    const refused = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.diagnostics.length > 0 ? a : undefined;
    }, 8000, 'diagnostics');
    expect(refused.revision).toBe(good.revision);
    expect(refused.syncStatus).toBe('Unknown');
    expect(refused.conditions[0]).toContain(leaked.slice(0, 12));
    const secret = refused.diagnostics.find((d) => d.code === 'E_SECRET_PLAINTEXT');
    expect(secret).toMatchObject({ severity: 'error', file: 'shared/db.env', line: 2 });
    expect(secret?.message).not.toContain('hunter2-Correct-Horse');
    // Every app refuses the commit: staging (automated too) did not apply the weights either.
    await h.controller.idle();
    expect((await appOf('quickstart-staging')).diagnostics.some((d) => d.code === 'E_SECRET_PLAINTEXT')).toBe(true);
    expect(await weights('dev')).toEqual([90, 10]);
    expect(await weights('staging')).toEqual([90, 10]);

    h.repo.write('shared/db.env', 'DB_HOST=db.internal\nDB_PASSWORD=${DB_PASSWORD}\n');
    const fixed = h.repo.commit('password from the environment');
    await h.controller.refresh();
    await eventually(async () => (await appOf('quickstart-dev')).revision === fixed, 8000, 'fixed commit applied');
    expect(await weights('dev')).toEqual([50, 50]);
    expect((await appOf('quickstart-dev')).diagnostics).toEqual([]);
  });

  it('ignoreDifferences keeps a matching field out of the comparison; a jq rule refuses the app by field', async () => {
    const repo = new TestRepo(QUICKSTART);
    // selfHeal off: drift stays visible instead of being healed away.
    repo.write(
      'apps/dev.yaml',
      `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: quickstart-dev
spec:
  project: quickstart
  environment: dev
  source:
    path: environments/dev
  syncPolicy:
    automated:
      prune: true
  ignoreDifferences:
  - group: ployd.ai
    kind: ModelDeployment
    name: chat-v1
    jsonPointers: [/spec/replicas]
`,
    );
    repo.commit('ignore replicas of chat-v1');
    h = await harness(repo);
    await h.controller.start();
    await eventually(async () => (await appOf('quickstart-dev')).syncStatus === 'Synced', 8000, 'dev synced');
    await h.ployd.modelServing.scaleModel({ namespace: 'dev', name: 'chat-v1' }, 3, alice);
    await h.ployd.modelServing.scaleModel({ namespace: 'dev', name: 'chat-v2' }, 3, alice);
    await h.controller.enqueueAll();
    await h.controller.idle();
    const dev = await appOf('quickstart-dev');
    // chat-v2 is not covered by the rule: it shows; chat-v1's replicas do not.
    expect(dev.resources.find((r) => r.name === 'chat-v1')?.status).toBe('Synced');
    expect(dev.resources.find((r) => r.name === 'chat-v2')?.changes).toEqual([{ path: '/spec/replicas', desired: 1, live: 3 }]);

    h.repo.edit('apps/dev.yaml', 'jsonPointers: [/spec/replicas]', 'jqPathExpressions: [.spec.replicas]');
    const jq = h.repo.commit('a jq rule');
    await h.controller.refresh();
    const refused = await eventually(async () => {
      const a = await appOf('quickstart-dev');
      return a.diagnostics.length > 0 ? a : undefined;
    }, 8000, 'diagnostics');
    expect(refused.conditions[0]).toContain(jq.slice(0, 12));
    expect(refused.diagnostics).toEqual([expect.objectContaining({ code: 'E_NOT_IMPLEMENTED_HERE', path: 'spec.ignoreDifferences[0].jqPathExpressions' })]);
  });
});
