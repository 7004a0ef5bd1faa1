import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { SYSTEM_ACTOR } from '../../src/sdk/index.ts';
import { applicationRoutes, createServerApp } from '../../src/server/index.ts';
import { eventually, harness, QUICKSTART, TestRepo, type Harness } from './harness.ts';

let h: Harness;
let app: ReturnType<typeof createServerApp>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await harness(new TestRepo(QUICKSTART));
  await h.controller.start();
  await eventually(async () => (await h.controller.get('quickstart-dev')).syncStatus === 'Synced', 8000, 'dev synced');
  app = createServerApp({ ployd: h.ployd, logger: createLogger(), routes: applicationRoutes(h.controller) });
  for (const [name, group] of [
    ['ml', 'ml-engineers'],
    ['sre', 'sre-team'],
  ] as const) {
    tokens[name] = (await h.ployd.security.createToken({ name, subject: name, groups: [group] }, SYSTEM_ACTOR)).token;
  }
}, 30_000);
afterAll(async () => {
  await h.close();
});

const call = (who: string, method: string, path: string, body?: unknown) =>
  app.request(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who] ?? ''}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('applications API: RBAC from the Project (seed 000 roles)', () => {
  it('ml-engineers may see apps but not sync production; sre-team may', async () => {
    const list = await call('ml', 'GET', '/applications');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { name: string }[] }).items.map((a) => a.name)).toContain('quickstart-production');
    const denied = await call('ml', 'POST', '/applications/quickstart-production/sync', {});
    expect(denied.status).toBe(403);
    expect(JSON.stringify(await denied.json())).toContain('applications, sync, quickstart/production/quickstart-production');
    const ok = await call('sre', 'POST', '/applications/quickstart-production/sync', {});
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'quickstart-production', syncStatus: 'Synced' });
    expect((await h.ployd.modelServing.getModel({ namespace: 'production', name: 'chat-v1' })).resource.spec.replicas).toBe(3);
    const audit = await h.ployd.audit.list({ limit: 100 });
    expect(audit.items.find((e) => e.resource === 'ModelDeployment/production/chat-v1')).toMatchObject({ subject: 'sre', via: 'gitops' });
  });

  it('rejects bad input with field errors and unknown apps with 404', async () => {
    expect((await call('sre', 'POST', '/applications/quickstart-dev/rollback', { id: 'x' })).status).toBe(400);
    expect((await call('sre', 'POST', '/applications/quickstart-dev/sync', { prune: 'yes' })).status).toBe(400);
    expect((await call('sre', 'GET', '/applications/nope')).status).toBe(404);
    expect((await call('sre', 'GET', '/applications/quickstart-dev/history')).status).toBe(200);
    const diff = await call('sre', 'GET', '/applications/quickstart-dev/diff');
    expect(await diff.json()).toMatchObject({ diffs: [] });
  });

  it('a commit that breaks a Policy is refused: diagnostics shown, route unchanged', async () => {
    const good = (await h.controller.get('quickstart-dev')).revision;
    h.repo.edit('base/route.yaml', / {2}authentication:\n {4}required: true\n {4}methods: \["api_key"\]\n/, '');
    h.repo.commit('no auth');
    await h.controller.refresh();
    const a = await eventually(async () => {
      const v = await h.controller.get('quickstart-dev');
      return v.diagnostics.length > 0 ? v : undefined;
    }, 8000, 'policy diagnostics');
    expect(a.diagnostics.map((d) => d.message).join('\n')).toContain('routes must require authentication');
    expect(a.revision).toBe(good);
    expect((await h.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.authentication?.required).toBe(true);
  });
});
