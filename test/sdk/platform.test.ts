import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPloyd, MemoryRuntime, type Actor, type Ployd } from '../../src/sdk/index.ts';
import { openStore } from '../../src/store/index.ts';
import { alice, CapturingSink, codeOf, errorOf, gitops, useHarness } from './harness.ts';

/** Seed 001's GatewayRoute, verbatim. */
const SEED_ROUTE = parse(`
apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat-api-v2
  namespace: ployd-ai-gateway
spec:
  path: "/v2/chat"
  methods: ["POST", "OPTIONS"]
  models:
    - name: "llama-7b-chat-v2-1"
      service: "llama-7b-chat-v2-1.ployd-ai-gateway.svc.cluster.local"
      port: 80
      weight: 90
      priority: 1
    - name: "llama-7b-chat-v2-0"
      service: "llama-7b-chat-v2-0.ployd-ai-gateway.svc.cluster.local"
      port: 80
      weight: 10
      priority: 2
      fallback: true
  routing:
    strategy: "weighted_round_robin"
    timeout: "30s"
    retries: 3
  rateLimit:
    enabled: true
    global:
      rpm: 10000
      burst: 1000
    perClient:
      rpm: 1000
      burst: 100
  authentication:
    required: true
    methods: ["api_key", "jwt"]
  circuitBreaker:
    enabled: true
    failureThreshold: 5
    recoveryTimeout: "30s"
  monitoring:
    enabled: true
    metrics:
      - "request_latency"
      - "request_throughput"
      - "error_rate"
`) as Record<string, unknown>;

const H = useHarness();

describe('AIGateway', () => {
  it('creates seed 001 route, publishes routes + deployments + endpoints, updates with resourceVersion', async () => {
    const { ployd, sink } = H.current;
    await ployd.modelServing.deployModel({ name: 'llama-7b-chat-v2-1', namespace: 'ployd-ai-gateway', modelPath: 's3://m/2.1' }, gitops);
    const r = await ployd.aiGateway.createRoute(SEED_ROUTE, gitops);
    expect(r).toMatchObject({ name: 'chat-api-v2', namespace: 'ployd-ai-gateway', resourceVersion: 1 });
    expect(r.resource.spec.routing.timeout).toBe(30_000);
    expect(sink.last?.routes.map((x) => x.metadata.name)).toEqual(['chat-api-v2']);
    expect(sink.last?.deployments.map((x) => x.metadata.name)).toEqual(['llama-7b-chat-v2-1']);
    expect(sink.last?.endpoints.map((e) => e.name)).toEqual(['llama-7b-chat-v2-1']);
    expect(await codeOf(ployd.aiGateway.createRoute(SEED_ROUTE, gitops))).toBe('E_ALREADY_EXISTS');

    // Round trip through the manifest as written: durations stay "30s", nothing is re-defaulted twice.
    const edited = structuredClone(r.manifest) as { spec: { models: [{ weight: number }, { weight: number }] } };
    edited.spec.models[0].weight = 100;
    edited.spec.models[1].weight = 0;
    const u = await ployd.aiGateway.updateRoute(edited, alice, { resourceVersion: r.resourceVersion });
    expect(u.resourceVersion).toBe(2);
    expect(u.resource.spec.routing.timeout).toBe(30_000);
    expect(sink.last?.routes[0]?.spec.models?.map((m) => m.weight)).toEqual([100, 0]);
    expect(await codeOf(ployd.aiGateway.updateRoute(edited, alice, { resourceVersion: 1 }))).toBe('E_CONFLICT');
    expect(await codeOf(ployd.aiGateway.updateRoute({ ...edited, metadata: { name: 'absent' } }, alice))).toBe('E_NOT_FOUND');

    const bad = structuredClone(SEED_ROUTE) as { spec: { routing: { timeout: string } } };
    bad.spec.routing.timeout = 'soon';
    const err = await errorOf(ployd.aiGateway.updateRoute(bad, alice));
    expect(err.code).toBe('E_VALIDATION');
    expect(err.message).toContain('spec.routing.timeout');

    expect((await ployd.aiGateway.listRoutes({ namespace: 'ployd-ai-gateway' })).items).toHaveLength(1);
    await ployd.aiGateway.deleteRoute({ name: 'chat-api-v2', namespace: 'ployd-ai-gateway' }, alice);
    expect(sink.last?.routes).toHaveLength(0);
    expect(await codeOf(ployd.aiGateway.getRoute({ name: 'chat-api-v2', namespace: 'ployd-ai-gateway' }))).toBe('E_NOT_FOUND');
  });

  it('concurrent changes never publish an older picture after a newer one', async () => {
    const { ployd, sink } = H.current;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ployd.aiGateway.createRoute({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name: `r${i}` }, spec: { path: `/r${i}`, models: [{ name: 'm' }] } }, alice),
      ),
    );
    expect(sink.last?.routes).toHaveLength(8);
    const counts = sink.published.map((p) => p.routes.length);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });
});

describe('ModelRegistry', () => {
  it("registers seed 001's model, promotes versions (one production at a time), tracks lineage", async () => {
    const { ployd } = H.current;
    const v20 = await ployd.modelRegistry.registerModel({ name: 'llama-7b-chat', version: 'v2.0', path: 's3://company-models/llama-7b-chat-v2.0', framework: 'vllm', stage: 'production' }, gitops);
    const v21 = await ployd.modelRegistry.registerModel(
      { name: 'llama-7b-chat', version: 'v2.1', path: 's3://company-models/llama-7b-chat-v2.1', framework: 'vllm', metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready'] } },
      gitops,
    );
    expect(v21).toMatchObject({ modelId: v20.modelId, stage: 'none', metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready'] } });
    expect(v21.modelId).toMatch(/^model_/);
    expect(await codeOf(ployd.modelRegistry.registerModel({ name: 'llama-7b-chat', version: 'v2.1', path: 's3://x' }, gitops))).toBe('E_ALREADY_EXISTS');
    expect(await codeOf(ployd.modelRegistry.registerModel({ name: 'llama-7b-chat', version: 'v2.2', path: 's3://x', metadata: { accuracy: 2 } }, gitops))).toBe('E_VALIDATION');

    await ployd.modelRegistry.setStage('llama-7b-chat', 'v2.1', 'staging', alice);
    const promoted = await ployd.modelRegistry.setStage('llama-7b-chat', 'v2.1', 'production', alice);
    expect(promoted.stage).toBe('production');
    expect((await ployd.modelRegistry.getVersion('llama-7b-chat', 'v2.0')).stage).toBe('archived');
    expect(await ployd.modelRegistry.getModel('llama-7b-chat')).toMatchObject({ productionVersion: 'v2.1', latestVersion: 'v2.1', versionCount: 2 });
    expect((await ployd.modelRegistry.listVersions('llama-7b-chat')).items.map((v) => `${v.version}:${v.stage}`)).toEqual(['v2.1:production', 'v2.0:archived']);
    expect(await codeOf(ployd.modelRegistry.setStage('llama-7b-chat', 'v2.1', 'gold' as 'production', alice))).toBe('E_VALIDATION');
    expect(await codeOf(ployd.modelRegistry.setStage('llama-7b-chat', 'v9', 'staging', alice))).toBe('E_NOT_FOUND');
    expect(await codeOf(ployd.modelRegistry.setStage('llama-7b-chat', 'v2.0', 'staging', alice, { resourceVersion: 1 }))).toBe('E_CONFLICT');

    await ployd.modelRegistry.trackDeployment({ model: 'llama-7b-chat', version: 'v2.0', environment: 'production', deployment: 'llama-7b-chat-v2-0' }, gitops);
    await ployd.modelRegistry.trackDeployment({ model: 'llama-7b-chat', version: 'v2.1', environment: 'staging' }, gitops);
    await ployd.modelRegistry.trackDeployment({ model: 'llama-7b-chat', version: 'v2.1', environment: 'production', deployment: 'llama-7b-chat-v2-1' }, gitops);
    const lineage = await ployd.modelRegistry.lineage('llama-7b-chat');
    expect(lineage.map((d) => `${d.version}@${d.environment}${d.endedAt ? ' (ended)' : ''}`)).toEqual(['v2.1@production', 'v2.1@staging', 'v2.0@production (ended)']);
    expect(lineage[0]).toMatchObject({ commit: '3f2a9c1', deployedBy: 'system:gitops' });
    expect(lineage[2]?.endedAt?.getTime()).toBe(lineage[0]?.startedAt.getTime());
    expect((await ployd.modelRegistry.lineage('llama-7b-chat', { environment: 'production' })).map((d) => d.version)).toEqual(['v2.1', 'v2.0']);
    expect(await codeOf(ployd.modelRegistry.trackDeployment({ model: 'llama-7b-chat', version: 'v3', environment: 'production' }, gitops))).toBe('E_NOT_FOUND');
  });

  it('two concurrent promotions leave exactly one production version', async () => {
    const { ployd } = H.current;
    for (const v of ['a1', 'a2', 'a3']) await ployd.modelRegistry.registerModel({ name: 'm', version: v, path: `s3://m/${v}` }, alice);
    const results = await Promise.allSettled(['a1', 'a2', 'a3'].map((v) => ployd.modelRegistry.setStage('m', v, 'production', alice)));
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const stages = (await ployd.modelRegistry.listVersions('m')).items.filter((v) => v.stage === 'production');
    expect(stages).toHaveLength(1);
  });
});

describe('ModelRegistry under concurrency', () => {
  it('concurrent trackDeployment calls leave exactly one open span per model and environment', async () => {
    const { ployd } = H.current;
    for (const v of ['b1', 'b2', 'b3', 'b4']) await ployd.modelRegistry.registerModel({ name: 'n', version: v, path: `s3://n/${v}` }, alice);
    const results = await Promise.allSettled(['b1', 'b2', 'b3', 'b4'].map((v) => ployd.modelRegistry.trackDeployment({ model: 'n', version: v, environment: 'prod' }, alice)));
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('E_CONFLICT');
    const open = (await ployd.modelRegistry.lineage('n')).filter((d) => d.endedAt === undefined);
    expect(open).toHaveLength(1);
  });
});

describe('Monitoring', () => {
  it("setupAlerts returns seed 001's alerts in our metric names, as valid Prometheus rules YAML", async () => {
    const { ployd } = H.current;
    const rules = await ployd.monitoring.setupAlerts();
    const doc = parse(rules.yaml) as { groups: { name: string; rules: { alert: string; expr: string; for: string; labels: { severity: string } }[] }[] };
    const byName = Object.fromEntries(doc.groups[0]?.rules.map((r) => [r.alert, r]) ?? []);
    expect(byName.GitOpsAppOutOfSync).toMatchObject({ expr: 'ployd_app_info{sync_status!="Synced"} == 1', for: '15m', labels: { severity: 'warning' } });
    expect(byName.GitOpsAppUnhealthy).toMatchObject({ expr: 'ployd_app_info{health_status!="Healthy"} == 1', for: '10m', labels: { severity: 'critical' } });
    expect(byName.GatewayHighErrorRate?.expr).toContain('ployd_gateway_requests_total{code=~"5.."}');
    expect(byName.CanaryRolledBack?.expr).toContain('ployd_canary_rollbacks_total');
    expect(await codeOf(ployd.monitoring.setupAlerts({ outOfSyncFor: 'a while' }))).toBe('E_VALIDATION');
  });

  it('tracks and queries measurements by name, labels and time range', async () => {
    const { ployd } = H.current;
    const t = (s: number) => new Date(Date.UTC(2026, 5, 1, 12, 0, s));
    const n = await ployd.monitoring.trackMetrics(
      [
        { name: 'ployd_canary_success_rate', value: 99.9, labels: { canary: 'c1' }, at: t(0) },
        { name: 'ployd_canary_success_rate', value: 97.0, labels: { canary: 'c1' }, at: t(30) },
        { name: 'ployd_canary_success_rate', value: 50, labels: { canary: 'c2' }, at: t(30) },
      ],
      { subject: 'controller', groups: [], via: 'controller' },
    );
    expect(n).toBe(3);
    expect((await ployd.monitoring.getMetrics({ name: 'ployd_canary_success_rate', labels: { canary: 'c1' } })).map((m) => m.value)).toEqual([99.9, 97.0]);
    expect((await ployd.monitoring.getMetrics({ name: 'ployd_canary_success_rate', from: t(10) })).map((m) => m.value)).toEqual([97.0, 50]);
    expect(await codeOf(ployd.monitoring.trackMetrics({ name: 'bad name', value: 1 }, alice))).toBe('E_VALIDATION');
    expect(await codeOf(ployd.monitoring.trackMetrics({ name: 'x', value: Number.NaN }, alice))).toBe('E_VALIDATION');
  });
});

/** Drives every mutating SDK call once and returns what it expects the audit log to show. */
async function everyChange(ployd: Ployd, actor: Actor): Promise<string[]> {
  const expected: string[] = [];
  const did = (action: string, resource: string) => expected.push(`${action} ${resource}`);
  const md = await ployd.modelServing.deployModel({ name: 'llama', namespace: 'dev', modelPath: 's3://llama', maxReplicas: 4 }, actor);
  did('model.deploy', 'ModelDeployment/dev/llama');
  await ployd.modelServing.deployModel({ ...md.manifest, metadata: { name: 'llama', namespace: 'dev', labels: { tier: 'std' } } }, actor);
  did('model.update', 'ModelDeployment/dev/llama');
  await ployd.modelServing.scaleModel({ name: 'llama', namespace: 'dev' }, 3, actor);
  did('model.scale', 'ModelDeployment/dev/llama');
  const route = await ployd.aiGateway.createRoute({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name: 'chat', namespace: 'dev' }, spec: { models: [{ name: 'llama' }] } }, actor);
  did('route.create', 'GatewayRoute/dev/chat');
  await ployd.aiGateway.updateRoute({ ...route.manifest, spec: { path: '/v2', models: [{ name: 'llama' }] } }, actor, { resourceVersion: route.resourceVersion });
  did('route.update', 'GatewayRoute/dev/chat');
  await ployd.modelRegistry.registerModel({ name: 'llama', version: 'v1', path: 's3://llama/v1' }, actor);
  did('registry.register', 'RegistryModel/llama/v1');
  await ployd.modelRegistry.setStage('llama', 'v1', 'production', actor);
  did('registry.stage', 'RegistryModel/llama/v1');
  await ployd.modelRegistry.trackDeployment({ model: 'llama', version: 'v1', environment: 'dev' }, actor);
  did('registry.track', 'Deployment/llama/dev');
  await ployd.security.createPolicy({ apiVersion: 'ployd.ai/v1', kind: 'Policy', metadata: { name: 'p' }, spec: { validations: [{ expression: 'true' }] } }, actor);
  did('policy.create', 'Policy/default/p');
  await ployd.security.applyRbac({ apiVersion: 'ployd.ai/v1', kind: 'Project', metadata: { name: 'proj' }, spec: { roles: [{ name: 'r', groups: ['g'], policies: ['p, proj:proj:r, applications, get, proj/*, allow'] }] } }, actor);
  did('rbac.apply', 'Rbac/proj');
  await ployd.security.setGlobalRbac(['g, alice, role:admin'], actor);
  did('rbac.apply', 'Rbac/*');
  const key = await ployd.security.createApiKey({ name: 'k' }, actor);
  did('apikey.create', `ApiKey/${key.info.id}`);
  await ployd.security.revokeApiKey(key.info.id, actor);
  did('apikey.revoke', `ApiKey/${key.info.id}`);
  const token = await ployd.security.createToken({ name: 't', subject: 's' }, actor);
  did('token.create', `Token/${token.info.id}`);
  await ployd.security.revokeToken(token.info.id, actor);
  did('token.revoke', `Token/${token.info.id}`);
  await ployd.security.deletePolicy({ name: 'p' }, actor);
  did('policy.delete', 'Policy/default/p');
  await ployd.aiGateway.deleteRoute({ name: 'chat', namespace: 'dev' }, actor);
  did('route.delete', 'GatewayRoute/dev/chat');
  await ployd.modelServing.deleteModel({ name: 'llama', namespace: 'dev' }, actor);
  did('model.delete', 'ModelDeployment/dev/llama');
  // Refused changes leave no audit row.
  await ployd.modelServing.scaleModel({ name: 'absent' }, 1, actor).catch(() => undefined);
  await ployd.aiGateway.createRoute({ kind: 'GatewayRoute' }, actor).catch(() => undefined);
  return expected;
}

async function checkAudit(ployd: Ployd): Promise<void> {
  const actor: Actor = { subject: 'e2e-user', groups: ['sre-team'], via: 'cli', commit: 'abc123' };
  const expected = await everyChange(ployd, actor);
  const entries = [];
  let cursor: string | undefined;
  do {
    const page = await ployd.audit.list({ limit: 4, ...(cursor ? { cursor } : {}) });
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  expect(entries.reverse().map((e) => `${e.action} ${e.resource}`)).toEqual(expected);
  for (const e of entries) expect(e).toMatchObject({ subject: 'e2e-user', groups: ['sre-team'], via: 'cli', commit: 'abc123' });
  const scale = entries.find((e) => e.action === 'model.scale');
  expect(scale?.before).toMatchObject({ resourceVersion: 2 });
  expect(scale?.after).toMatchObject({ resourceVersion: 3, resource: { spec: { replicas: 3 } } });
  expect(entries.find((e) => e.action === 'model.delete')?.after).toBeUndefined();
  expect((await ployd.audit.list({ resource: 'GatewayRoute/dev/' })).items.map((e) => e.action)).toEqual(['route.delete', 'route.update', 'route.create']);
  expect((await ployd.audit.list({ subject: 'nobody' })).items).toHaveLength(0);
  // Filters are data: quotes and LIKE wildcards match nothing they should not.
  expect((await ployd.audit.list({ subject: "e2e-user' or '1'='1" })).items).toHaveLength(0);
  expect((await ployd.audit.list({ resource: '%' })).items).toHaveLength(0);
  expect((await ployd.audit.list({ action: "model.deploy'; delete from audit_log; --" })).items).toHaveLength(0);
  expect((await ployd.audit.list({ limit: 1000 })).items).toHaveLength(expected.length);
  expect(await codeOf(ployd.audit.list({ cursor: 'not-a-cursor' }))).toBe('E_VALIDATION');
}

describe('audit', () => {
  it('lists every change made, with who, what, before and after, via and commit (PGlite)', async () => {
    await checkAudit(H.current.ployd);
  });

  const url = process.env.PLOYD_TEST_DATABASE_URL;
  it.skipIf(!url)('lists every change made on Postgres too (runs when PLOYD_TEST_DATABASE_URL is set)', async () => {
    const schema = `ployd_sdk_${randomBytes(6).toString('hex')}`;
    const store = await openStore({ url: url ?? '', schema });
    const runtime = new MemoryRuntime();
    const ployd = createPloyd({ store, runtime, routeSink: new CapturingSink() });
    try {
      await checkAudit(ployd);
    } finally {
      await ployd.close();
      await runtime.close();
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  });
});
