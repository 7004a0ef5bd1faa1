import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harness, simulatorModelYaml, TestRepo, type Harness } from './harness.ts';

let h!: Harness;
afterEach(async () => {
  await h.close();
});

const model = (name: string): string => simulatorModelYaml(name);
const app = (name: string, env: string, options: string[]): string => `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${name}
spec:
  environment: ${env}
  source:
    path: ${name}
  syncPolicy:
    automated:
      prune: true
    syncOptions: [${options.join(', ')}]
`;

describe('controller: CreateNamespace on a runtime with namespaces', () => {
  it('creates a missing namespace with CreateNamespace=true; without it the sync fails saying so; an existing one is used', async () => {
    const repo = new TestRepo();
    repo.write('apps/dev.yaml', app('dev-app', 'dev', ['CreateNamespace=true']));
    repo.write('apps/qa.yaml', app('qa-app', 'qa', []));
    repo.write('apps/staging.yaml', app('staging-app', 'staging', []));
    repo.write('dev-app/m.yaml', model('m-dev'));
    repo.write('qa-app/m.yaml', model('m-qa'));
    repo.write('staging-app/m.yaml', model('m-staging'));
    const sha = repo.commit('three environments');
    // The memory runtime in Kubernetes mode: only `staging` exists.
    h = await harness(repo, {}, { namespaces: ['staging'] });
    await h.controller.start();
    for (const a of ['dev-app', 'staging-app']) await eventually(async () => (await h.controller.get(a)).syncStatus === 'Synced', 8000, `${a} synced`);
    expect(h.runtime.namespaceList).toEqual(['staging', 'dev']);
    const devHistory = await h.controller.history('dev-app');
    expect(devHistory[0]?.resources).toContainEqual({ kind: 'Namespace', namespace: '', name: 'dev', action: 'created' });
    const audit = (await h.ployd.audit.list({ limit: 100 })).items;
    expect(audit.filter((e) => e.action === 'namespace.create').map((e) => [e.resource, e.via, e.commit])).toEqual([['Namespace/dev', 'gitops', sha]]);

    const failed = await eventually(async () => (await h.controller.history('qa-app')).find((e) => e.phase === 'Failed'), 8000, 'qa sync failed');
    expect(failed.result).toBe('namespace qa does not exist on the memory runtime: create it, or add CreateNamespace=true to syncPolicy.syncOptions');
    expect(h.runtime.calls.some((c) => c.namespace === 'qa')).toBe(false);
    expect(h.runtime.namespaceList).not.toContain('qa');
    expect((await h.controller.get('qa-app')).syncStatus).toBe('OutOfSync');
  });

  it('on a runtime without namespaces (the local one) CreateNamespace has nothing to do and no namespace is required', async () => {
    const repo = new TestRepo();
    repo.write('apps/qa.yaml', app('qa-app', 'qa', []));
    repo.write('qa-app/m.yaml', model('m-qa'));
    repo.commit('qa');
    h = await harness(repo);
    expect(h.runtime.namespaces).toBeUndefined();
    await h.controller.start();
    await eventually(async () => (await h.controller.get('qa-app')).syncStatus === 'Synced', 8000, 'qa synced');
    expect((await h.controller.history('qa-app'))[0]?.resources.some((r) => (r as { kind: string }).kind === 'Namespace')).toBe(false);
  });
});
