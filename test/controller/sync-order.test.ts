import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harness, simulatorModelYaml, TestRepo, type Harness } from './harness.ts';

const model = (name: string, wave?: number): string => simulatorModelYaml(name, wave !== undefined ? { wave } : {});
const app = (name: string, path: string, extra = ''): string => `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${name}
spec:
  environment: dev
  source:
    path: ${path}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
${extra}`;

let open: Harness | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('controller: waves, dependsOn, hooks, restart', () => {
  it('applies waves in order and an app after the one it dependsOn', async () => {
    const repo = new TestRepo();
    repo.write('apps/phase1.yaml', app('phase1', 'phase1'));
    repo.write('apps/phase2.yaml', app('phase2', 'phase2', '  dependsOn:\n  - name: phase1\n'));
    repo.write('phase1/m.yaml', model('small'));
    repo.write('phase2/m.yaml', `${model('late', 1)}---\n${model('early', 0)}`);
    repo.commit('phases');
    const h = (open = await harness(repo));
    await h.controller.start();
    await eventually(async () => (await h.controller.get('phase2')).syncStatus === 'Synced', 8000, 'phase2 synced');
    const applies = h.runtime.calls.filter((c) => c.op === 'apply').map((c) => c.name);
    expect(applies.indexOf('small')).toBeLessThan(applies.indexOf('early'));
    expect(applies.indexOf('early')).toBeLessThan(applies.indexOf('late'));
  });

  it('a failing PreSync GPU check blocks the sync; SyncFail hooks run; history says why', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'ployd-hook-')), 'syncfail');
    const repo = new TestRepo();
    const hooks = `  hooks:
  - name: validate-resources
    phase: PreSync
    gpuCapacity:
      required: 1
  - name: notify
    phase: SyncFail
    command: ["sh", "-c", "echo $PLOYD_APP > ${marker}"]
`;
    repo.write('apps/big.yaml', app('big', 'big', hooks));
    repo.write('big/m.yaml', model('big-model'));
    repo.commit('needs a GPU');
    const h = (open = await harness(repo, { gpuCount: () => 0 }));
    await h.controller.start();
    const failed = await eventually(async () => (await h.controller.history('big')).find((e) => e.phase === 'Failed'), 8000, 'failed sync');
    expect(failed.result).toContain('PreSync hook validate-resources failed: needs 1 GPU(s), the runtime has 0');
    expect(h.runtime.calls).toEqual([]);
    await expect(h.ployd.modelServing.getModel({ namespace: 'dev', name: 'big-model' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await eventually(() => Promise.resolve(existsSync(marker)), 5000, 'SyncFail hook');
    expect(readFileSync(marker, 'utf8').trim()).toBe('big');
    rmSync(join(marker, '..'), { recursive: true, force: true });
  });

  it('a restart mid-sync resumes the persisted operation: nothing lost, nothing doubled', async () => {
    const repo = new TestRepo();
    repo.write('apps/two.yaml', app('two', 'two'));
    repo.write('two/m.yaml', `${model('first', 0)}---\n${model('second', 1)}`);
    repo.commit('two waves');
    const h = (open = await harness(repo, {}, { initialPhase: 'Starting' }));
    await h.controller.start();
    // Wave 0 is applied and the sync waits for it to become Healthy: stop the controller there.
    await eventually(async () => (await h.controller.get('two')).operation?.current?.startsWith('wait for wave 0'), 8000, 'waiting on wave 0');
    await h.restart();
    expect((await h.store.applications.get('two'))?.operation).toMatchObject({ operation: { step: 2 } });
    h.runtime.setReplicaPhase({ namespace: 'dev', name: 'first' }, 0, 'Ready');
    await h.controller.start();
    await eventually(() => Promise.resolve(h.runtime.calls.some((c) => c.op === 'apply' && c.name === 'second')), 8000, 'wave 1 applied');
    h.runtime.setReplicaPhase({ namespace: 'dev', name: 'second' }, 0, 'Ready');
    await eventually(async () => (await h.controller.history('two'))[0]?.phase === 'Succeeded', 8000, 'sync finished');
    expect(await h.controller.history('two')).toHaveLength(1);
    expect(h.runtime.calls.filter((c) => c.op === 'apply').map((c) => c.name)).toEqual(['first', 'second']);
    const audit = await h.ployd.audit.list({ limit: 100 });
    expect(audit.items.filter((e) => e.resource === 'ModelDeployment/dev/first' && e.action === 'model.deploy')).toHaveLength(1);
  });
});
