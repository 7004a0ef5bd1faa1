import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PloydClient, PloydError } from '../../src/index.ts';
import type { Actor, Ployd } from '../../src/sdk/index.ts';
import type { RunningServer } from '../../src/server/index.ts';
import { startPlatform, type Platform } from './helpers.ts';

const run = promisify(execFile);

/** Replaces what legitimately differs between two platforms (ids, times, secrets) with placeholders. */
function normalize(value: unknown, sfx: string): unknown {
  if (value instanceof Date) return '<date>';
  if (typeof value === 'string') return value.split(sfx).join('-SFX').replace(/^(ApiKey|Token)\/[A-Za-z0-9_-]+$/, '$1/<id>');
  if (Array.isArray(value)) return value.map((v) => normalize(v, sfx));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (['id', 'modelId', 'prefix', 'key', 'token', 'tokenId', 'hash'].includes(k) && typeof v === 'string') out[k] = `<${k}>`;
    else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) out[k] = '<date>';
    else out[k] = normalize(v, sfx);
  }
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof PloydError ? err.code : `not a PloydError: ${String(err)}`;
  }
}

/**
 * The main flows of seed 001, written once against the SDK interface. Both runs share one store,
 * so every name carries the run's suffix and lists are narrowed to the run's own objects.
 */
async function flow(sdk: Ployd, actor: Actor, sfx: string): Promise<Record<string, unknown>> {
  const r: Record<string, unknown> = {};
  const mine = <T extends { name: string }>(items: readonly T[]): T[] => items.filter((i) => i.name.includes(sfx));
  const model = `llama-7b-chat${sfx}`;
  const ns = `ns${sfx}`;
  const prod = `prod${sfx}`;
  r.registered = await sdk.modelRegistry.registerModel(
    { name: model, version: 'v2.1', path: 's3://company-models/llama-7b-chat-v2.1', framework: 'vllm', metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready'] } },
    actor,
  );
  await sdk.modelRegistry.registerModel({ name: model, version: 'v2.0', path: 's3://company-models/llama-7b-chat-v2.0' }, actor);
  r.staged = await sdk.modelRegistry.setStage(model, 'v2.1', 'production', actor);
  r.registryModel = await sdk.modelRegistry.getModel(model);
  r.versions = await sdk.modelRegistry.listVersions(model);
  r.version = await sdk.modelRegistry.getVersion(model, 'v2.0');
  r.registryList = mine((await sdk.modelRegistry.listModels({ limit: 1000 })).items);

  r.deployed = await sdk.modelServing.deployModel(
    { name: 'llama-7b-chat-v2-1', namespace: ns, modelPath: 's3://company-models/llama-7b-chat-v2.1', framework: 'vllm', gpuCount: 2, minReplicas: 1, maxReplicas: 5 },
    actor,
  );
  r.deployedManifest = await sdk.modelServing.deployModel(
    {
      apiVersion: 'ployd.ai/v1',
      kind: 'ModelDeployment',
      metadata: { name: 'llama-7b-chat-v2-0', namespace: prod },
      spec: { model: { framework: 'vllm', path: 's3://company-models/llama-7b-chat-v2.0' }, scaling: { minReplicas: 1, maxReplicas: 3 } },
    },
    actor,
  );
  r.scaled = await sdk.modelServing.scaleModel({ name: 'llama-7b-chat-v2-1', namespace: ns }, 3, actor, { resourceVersion: 1 });
  r.model = await sdk.modelServing.getModel({ name: 'llama-7b-chat-v2-1', namespace: ns });
  r.models = await sdk.modelServing.listModels({ namespace: ns });
  r.modelsProduction = await sdk.modelServing.listModels({ namespace: prod });
  r.status = await sdk.modelServing.getStatus({ name: 'llama-7b-chat-v2-1', namespace: ns });

  const route = {
    apiVersion: 'ployd.ai/v1',
    kind: 'GatewayRoute',
    metadata: { name: 'chat-api-v2', namespace: ns },
    spec: { path: '/v2/chat', methods: ['POST'], models: [{ name: 'llama-7b-chat-v2-1', weight: 90 }, { name: 'llama-7b-chat-v2-0', weight: 10, fallback: true }] },
  };
  r.route = await sdk.aiGateway.createRoute(route, actor);
  r.routeUpdated = await sdk.aiGateway.updateRoute({ ...route, spec: { ...route.spec, routing: { strategy: 'least_busy' } } }, actor, { resourceVersion: 1 });
  r.routes = await sdk.aiGateway.listRoutes({ namespace: ns });

  const key = await sdk.security.createApiKey({ name: `team-a${sfx}`, routes: ['chat-api-v2'], tiers: ['premium'], rpm: 600 }, actor);
  r.keyShape = { keyLength: key.key.length, info: key.info };
  r.keys = mine((await sdk.security.listApiKeys({ limit: 1000 })).items);
  r.revoked = await sdk.security.revokeApiKey(key.info.id, actor);
  r.keysAfter = mine((await sdk.security.listApiKeys({ includeRevoked: true, limit: 1000 })).items);

  r.tracked = await sdk.modelRegistry.trackDeployment({ model, version: 'v2.1', environment: ns, deployment: 'llama-7b-chat-v2-1' }, actor);
  r.lineage = await sdk.modelRegistry.lineage(model);
  r.recorded = await sdk.monitoring.trackMetrics(
    [
      { name: 'ployd_gateway_requests_total', value: 5, labels: { route: `chat${sfx}` }, at: new Date('2026-01-01T00:00:00Z') },
      { name: 'ployd_gateway_requests_total', value: 9, labels: { route: `other${sfx}` }, at: new Date('2026-01-01T00:01:00Z') },
    ],
    actor,
  );
  r.metrics = await sdk.monitoring.getMetrics({ name: 'ployd_gateway_requests_total', labels: { route: `chat${sfx}` } });
  r.alerts = await sdk.monitoring.setupAlerts({ outOfSyncFor: '15m' });
  await sdk.modelServing.deleteModel({ name: 'llama-7b-chat-v2-0', namespace: prod }, actor);
  r.modelsProductionAfter = await sdk.modelServing.listModels({ namespace: prod });

  r.errors = {
    missingModel: await codeOf(sdk.modelServing.getModel({ name: 'nope', namespace: ns })),
    staleScale: await codeOf(sdk.modelServing.scaleModel({ name: 'llama-7b-chat-v2-1', namespace: ns }, 1, actor, { resourceVersion: 1 })),
    duplicateRoute: await codeOf(sdk.aiGateway.createRoute(route, actor)),
    badRoute: await codeOf(sdk.aiGateway.createRoute({ ...route, metadata: { name: 'bad', namespace: ns }, spec: { models: [{ name: 'x', weight: 'heavy' }] } }, actor)),
    missingVersion: await codeOf(sdk.modelRegistry.getVersion(model, 'v9')),
  };
  r.audit = (await sdk.audit.list({ limit: 1000 })).items
    .filter((e) => e.resource.includes(sfx) || JSON.stringify(e.after ?? e.before ?? {}).includes(sfx))
    .map((e) => ({ action: e.action, resource: e.resource, subject: e.subject, via: e.via }));
  return r;
}

let remote: Platform;
let server: RunningServer;
let client: PloydClient;

beforeAll(async () => {
  // One store for both runs: an embedded database takes many seconds to start on a loaded machine.
  remote = await startPlatform();
  server = await remote.listen();
  client = new PloydClient({ server: server.url, token: remote.adminToken });
});
afterAll(async () => {
  await client.close();
  await remote.close();
});

describe('PloydClient against a live server', () => {
  it('gives the same results as the in-process SDK for the main flows', async () => {
    const admin = await client.whoami();
    const local = await flow(remote.ployd, { subject: admin.subject, groups: admin.groups, via: 'api' }, '-sfxone');
    const overHttp = await flow(client, { subject: 'ignored', groups: [], via: 'api' }, '-sfxtwo');
    expect(normalize(overHttp, '-sfxtwo')).toEqual(normalize(local, '-sfxone'));
    expect((local.audit as unknown[]).length).toBeGreaterThan(10);
    // Types survive the trip: dates are Dates again.
    expect((overHttp.model as { createdAt: unknown }).createdAt).toBeInstanceOf(Date);
  });

  it('maps error bodies to PloydErrors with the same code, issues and status', async () => {
    const err = await client.aiGateway.createRoute({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name: 'x' }, spec: { models: [{ name: 'a', weight: -1 }] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PloydError);
    expect((err as PloydError).code).toBe('E_VALIDATION');
    expect((err as PloydError).details).toMatchObject({ status: 400, issues: [expect.objectContaining({ path: 'spec.models[0].weight' })] });
    const bad = new PloydClient({ server: server.url, token: 'pt_wrong' });
    expect(await codeOf(bad.modelServing.listModels())).toBe('E_UNAUTHENTICATED');
    expect(await bad.security.verifyToken('pt_wrong')).toBeUndefined();
    await bad.close();
    const down = new PloydClient({ server: 'http://127.0.0.1:9', token: 'x' });
    expect(await codeOf(down.modelServing.listModels())).toBe('E_SERVER_UNREACHABLE');
    await down.close();
  });

  it('the example drives the platform and its audit log lists what it did', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/sdk-client/drive-platform.ts'], {
      env: { ...process.env, PLOYD_SERVER: server.url, PLOYD_TOKEN: remote.adminToken, EXAMPLE_SUFFIX: '-ex', PLOYD_LOG_LEVEL: 'silent' },
      timeout: 20_000,
    });
    expect(stdout).toMatch(/registered llama-7b-chat-ex v2\.1/);
    expect(stdout).toMatch(/deployed default\/llama-7b-chat-v2-1-ex/);
    expect(stdout).toMatch(/created route chat-api-v2-ex/);
    expect(stdout).toMatch(/created API key team-a-ex/);
    expect(stdout).not.toMatch(/pk_[A-Za-z0-9_-]{20,}/);
    const audit = (await client.audit.list({ limit: 20 })).items.map((e) => e.resource);
    expect(audit.some((r) => r.includes('llama-7b-chat-v2-1-ex'))).toBe(true);
    expect(audit.some((r) => r.includes('chat-api-v2-ex'))).toBe(true);
  });
});
