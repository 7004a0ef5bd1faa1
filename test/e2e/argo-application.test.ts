import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitOpsPlatform, type RunningPlatform } from '../../src/cli/platform.ts';
import type { TestRepo } from '../controller/harness.ts';
import { eventually } from '../controller/harness.ts';
import { argoRepo } from './argo-repo.ts';

/**
 * An Argo CD Application of seed 000's shape, reconciled by the controller on the real local
 * runtime (simulator replicas as processes) behind the real gateway: the model comes up and the
 * route answers, then a commit to the overlay is applied.
 */
let dir: string;
let repo: TestRepo;
let p: RunningPlatform;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-argo-'));
  repo = argoRepo();
  p = await startGitOpsPlatform({ repo: repo.dir, stateDir: dir, store: { dataDir: join(dir, 'data') }, port: 0, gatewayPort: 0, host: '127.0.0.1', gpus: '0' });
}, 60_000);
afterAll(async () => {
  await p.close();
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

const chat = (): Promise<Response> =>
  fetch(`${p.gatewayUrl ?? ''}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.apiKey ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hello argo' }], max_tokens: 5 }),
  });

describe('an argoproj.io/v1alpha1 Application (seed 000 shape)', () => {
  it('is converted and reconciled: project and environment from Argo fields, model up, route answers', async () => {
    const head = repo.git('rev-parse', 'HEAD').trim();
    const app = await eventually(
      async () => {
        const a = await p.controller.get('chat-foundation');
        return a.syncStatus === 'Synced' && a.healthStatus === 'Healthy' ? a : undefined;
      },
      45_000,
      'chat-foundation Synced and Healthy',
    );
    expect(app).toMatchObject({ project: 'llm-models', environment: 'development', path: 'applications/chat/overlays/development', revision: head, autoSync: true, prune: true, selfHeal: true });
    const status = await p.ployd.modelServing.getStatus({ namespace: 'development', name: 'chat-small' });
    expect(status).toMatchObject({ health: 'Healthy', desiredReplicas: 1, readyReplicas: 1 });
    const model = await p.ployd.modelServing.getModel({ namespace: 'development', name: 'chat-small' });
    expect(model.resource.metadata.labels).toMatchObject({ 'ployd.ai/application': 'chat-foundation', 'ployd.ai/project': 'llm-models' });
    await eventually(async () => (await chat()).status === 200, 30_000, 'route answers');
    const body = (await (await chat()).json()) as { choices: { message: { content: string } }[] };
    expect(body.choices).toHaveLength(1);
  }, 90_000);

  it('a commit to the overlay is applied: two replicas, both serving', async () => {
    repo.edit('applications/chat/overlays/development/kustomization.yaml', 'value: 1', 'value: 2');
    const sha = repo.commit('development: two replicas');
    await eventually(
      async () => {
        const a = await p.controller.get('chat-foundation');
        return a.revision === sha && a.syncStatus === 'Synced' && a.healthStatus === 'Healthy';
      },
      45_000,
      'new revision synced and healthy',
    );
    expect(await p.ployd.modelServing.getStatus({ namespace: 'development', name: 'chat-small' })).toMatchObject({ desiredReplicas: 2, readyReplicas: 2 });
    expect((await chat()).status).toBe(200);
    const audit = await p.ployd.audit.list({ limit: 200 });
    expect(audit.items.find((e) => e.resource === 'ModelDeployment/development/chat-small' && e.commit === sha)).toMatchObject({ via: 'gitops' });
  }, 90_000);
});
