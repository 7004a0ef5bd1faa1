/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any --
   Assertions walk recorded request bodies and live objects as plain JSON. */
// The applier and runtime against recorded-shape API-server responses (test/fixtures/k8s-api),
// played back by a local HTTP server: no cluster runs here. The real @kubernetes/client-node sends
// the requests; the server records method, path, query, content type and body for assertions.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isPloydError } from '../../../src/errors/index.ts';
import { ModelDeployment, parseResource } from '../../../src/resources/index.ts';
import { createKubernetesApplier, createKubernetesRuntime, renderKubernetes } from '../../../src/runtime/kubernetes/index.ts';
import { fixture, startFakeApiServer, type FakeApiServer, type RecordedRequest, type Reply } from './api-server.ts';

const NS = 'production';
const P = {
  svc: `/api/v1/namespaces/${NS}/services/llama-3-1-8b`,
  dep: `/apis/apps/v1/namespaces/${NS}/deployments/llama-3-1-8b`,
  pdb: `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/llama-3-1-8b`,
  hpa: `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/llama-3-1-8b`,
  sm: `/apis/monitoring.coreos.com/v1/namespaces/${NS}/servicemonitors/llama-3-1-8b`,
  pods: `/api/v1/namespaces/${NS}/pods`,
};

function seed7b(): ModelDeployment & { metadata: { namespace: string } } {
  const r = parseResource(parse(readFileSync(new URL('seed/llama-7b.yaml', import.meta.url), 'utf8')));
  return ModelDeployment.parse(r.parsed!.manifest) as ModelDeployment & { metadata: { namespace: string } };
}

const APPLY_ROUTES: Record<string, Reply> = {
  [`PATCH ${P.svc}`]: { status: 200, fixture: 'service.json' },
  [`PATCH ${P.dep}`]: { status: 200, fixture: 'deployment-applied.json' },
  [`PATCH ${P.pdb}`]: { status: 200, fixture: 'pdb.json' },
  [`PATCH ${P.hpa}`]: { status: 200, fixture: 'hpa.json' },
  [`PATCH ${P.sm}`]: { status: 200, fixture: 'servicemonitor.json' },
};
const READ_ROUTES: Record<string, Reply> = {
  [`GET ${P.svc}`]: { status: 200, fixture: 'service.json' },
  [`GET ${P.dep}`]: { status: 200, fixture: 'deployment-applied.json' },
  [`GET ${P.pdb}`]: { status: 200, fixture: 'pdb.json' },
  [`GET ${P.hpa}`]: { status: 200, fixture: 'hpa.json' },
  [`GET ${P.sm}`]: { status: 200, fixture: 'servicemonitor.json' },
  [`GET ${P.pods}`]: { status: 200, fixture: 'pods-rolling.json' },
};

let api: FakeApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const patches = (s: FakeApiServer): RecordedRequest[] => s.requests.filter((r) => r.method === 'PATCH');

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    expect(isPloydError(e), String(e)).toBe(true);
    return e as never;
  }
  throw new Error('expected a rejection');
}

describe('applier: server-side apply', () => {
  it('dry-runs every object, then applies each with apply-patch+yaml, fieldManager=ployd, force, and the rendered body', async () => {
    api = await startFakeApiServer(APPLY_ROUTES);
    const objects = renderKubernetes(seed7b());
    const live = await createKubernetesApplier({ kubeConfig: api.kubeConfig() }).apply(objects);

    const order = [P.svc, P.dep, P.pdb, P.hpa, P.sm];
    const sent = patches(api);
    expect(sent.map((r) => r.path)).toEqual([...order, ...order]);
    sent.forEach((r, i) => {
      expect(r.contentType).toBe('application/apply-patch+yaml');
      expect(r.query).toEqual({ fieldManager: 'ployd', force: 'true', ...(i < order.length ? { dryRun: 'All' } : {}) });
      // Exactly what was rendered reaches the server: the client's typed serializer dropped nothing.
      expect(r.body).toEqual(JSON.parse(JSON.stringify(objects[i % order.length])));
    });
    // Discovery once per API group, then cached.
    expect(api.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/api/v1', '/apis/apps/v1', '/apis/policy/v1', '/apis/autoscaling/v2', '/apis/monitoring.coreos.com/v1']);
    expect(api.unmatched).toEqual([]);
    expect(live.map((o: any) => o.metadata.uid)).toEqual(['service.json', 'deployment-applied.json', 'pdb.json', 'hpa.json', 'servicemonitor.json'].map((f) => (fixture(f).metadata as any).uid));
  });

  it('passes force=false and a custom field manager; skips the dry run when asked', async () => {
    api = await startFakeApiServer(APPLY_ROUTES);
    await createKubernetesApplier({ kubeConfig: api.kubeConfig(), force: false, fieldManager: 'ployd-ci', dryRunFirst: false }).apply(renderKubernetes(seed7b()));
    expect(patches(api)).toHaveLength(5);
    for (const r of patches(api)) expect(r.query).toEqual({ fieldManager: 'ployd-ci', force: 'false' });
  });

  it('a field-manager conflict in the dry run fails with E_K8S_APPLY_CONFLICT and changes nothing', async () => {
    api = await startFakeApiServer({
      ...APPLY_ROUTES,
      [`PATCH ${P.dep}`]: { status: 409, fixture: 'status-409-apply-conflict.json' },
    });
    const err = await rejection(createKubernetesApplier({ kubeConfig: api.kubeConfig(), force: false }).apply(renderKubernetes(seed7b())));
    expect(err.code).toBe('E_K8S_APPLY_CONFLICT');
    expect(err.message).toBe(`dry-run apply Deployment ${NS}/llama-3-1-8b: Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="model-server"].image`);
    expect(err.details).toMatchObject({ kind: 'Deployment', name: 'llama-3-1-8b', status: 409 });
    expect(patches(api).every((r) => r.query.dryRun === 'All')).toBe(true);
  });

  it('an invalid object is E_K8S_API with the API server message', async () => {
    api = await startFakeApiServer({
      ...APPLY_ROUTES,
      [`PATCH ${P.dep}`]: (r) => (r.query.dryRun ? { status: 200, fixture: 'deployment-applied.json' } : { status: 422, fixture: 'status-422-invalid.json' }),
    });
    const err = await rejection(createKubernetesApplier({ kubeConfig: api.kubeConfig() }).apply(renderKubernetes(seed7b())));
    expect(err.code).toBe('E_K8S_API');
    expect(err.message).toContain('must be equal to nvidia.com/gpu limit of 2');
    expect(err.details.status).toBe(422);
  });

  it('a kind the cluster does not serve (LeaderWorkerSet CRD missing) is a clear error before anything changes', async () => {
    api = await startFakeApiServer({ [`PATCH /api/v1/namespaces/${NS}/services/llama-3-1-405b`]: { status: 200, fixture: 'service.json' } });
    const md = seed7b();
    const big = ModelDeployment.parse({ ...md, metadata: { ...md.metadata, name: 'llama-3.1-405b' }, spec: { ...md.spec, model: { ...md.spec.model, parallelism: { tensor: 8, pipeline: 2 } }, resources: { gpu: { count: 16 } } } });
    const err = await rejection(createKubernetesApplier({ kubeConfig: api.kubeConfig() }).apply(renderKubernetes(big)));
    expect(err.code).toBe('E_K8S_API');
    expect(err.message).toBe(`dry-run apply LeaderWorkerSet ${NS}/llama-3-1-405b: the cluster does not serve leaderworkerset.x-k8s.io/v1 LeaderWorkerSet (is its CRD installed?)`);
    expect(patches(api).filter((r) => r.query.dryRun !== 'All')).toEqual([]);
  });

  it('read answers undefined for 404; delete skips what is gone', async () => {
    api = await startFakeApiServer({
      [`GET ${P.dep}`]: { status: 404, fixture: 'status-404-deployment.json' },
      [`GET ${P.svc}`]: { status: 200, fixture: 'service.json' },
      [`DELETE ${P.svc}`]: { status: 200, fixture: 'service.json' },
      [`DELETE ${P.dep}`]: { status: 404, fixture: 'status-404-deployment.json' },
    });
    const applier = createKubernetesApplier({ kubeConfig: api.kubeConfig() });
    const ref = (apiVersion: string, kind: string) => ({ apiVersion, kind, metadata: { name: 'llama-3-1-8b', namespace: NS } });
    expect(await applier.read(ref('apps/v1', 'Deployment'))).toBeUndefined();
    expect(((await applier.read(ref('v1', 'Service'))) as any).spec.clusterIP).toBe('10.96.41.17');
    const deleted = await applier.delete([ref('v1', 'Service'), ref('apps/v1', 'Deployment')]);
    expect(deleted.map((d) => d.kind)).toEqual(['Service']);
    expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.query])).toEqual([
      [P.svc, { propagationPolicy: 'Background' }],
      [P.dep, { propagationPolicy: 'Background' }],
    ]);
  });

  it('an unreachable API server is E_K8S_API, not a stack trace', async () => {
    api = await startFakeApiServer();
    const kc = api.kubeConfig();
    await api.close();
    api = undefined;
    const err = await rejection(createKubernetesApplier({ kubeConfig: kc }).apply(renderKubernetes(seed7b())));
    expect(err.code).toBe('E_K8S_API');
    expect(err.message).toMatch(/^dry-run apply Service production\/llama-3-1-8b: cannot reach the API server: /);
  });
});

describe('runtime over the applier', () => {
  async function setup(extra: Record<string, Reply> = {}) {
    api = await startFakeApiServer({ ...APPLY_ROUTES, ...READ_ROUTES, ...extra });
    const runtime = createKubernetesRuntime({ kubeConfig: api.kubeConfig(), pollIntervalMs: 0 });
    let changes = 0;
    runtime.onChange(() => (changes += 1));
    return { runtime, server: api, changes: () => changes };
  }

  it('apply → Progressing until the rollout is observed; no endpoint without available replicas', async () => {
    const { runtime } = await setup();
    await runtime.apply(seed7b());
    const s = await runtime.status({ namespace: NS, name: 'llama-3.1-8b' });
    expect(s).toMatchObject({ namespace: NS, name: 'llama-3.1-8b', health: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation', desiredReplicas: 5, readyReplicas: 0 });
    expect(s?.specHash).toBe((fixture('deployment-applied.json').metadata as any).annotations['ployd.ai/spec-hash']);
    expect(runtime.endpoints()).toEqual([]);
    await runtime.close();
  });

  it('reports each pod as a replica: ready, starting, unschedulable with the scheduler message, crash-looping', async () => {
    const { runtime, server } = await setup();
    server.routes.set(`GET ${P.dep}`, { status: 200, fixture: 'deployment-rolling.json' });
    await runtime.apply(seed7b());
    const s = await runtime.status({ namespace: NS, name: 'llama-3.1-8b' });
    expect(s?.health).toBe('Progressing');
    expect(s?.message).toBe('Waiting for rollout to finish: 3 out of 5 new replicas have been updated...');
    expect(s?.replicas.map((r) => [r.phase, r.restarts])).toEqual([['Ready', 0], ['Ready', 0], ['Starting', 0], ['Pending', 0], ['CrashLoop', 7]]);
    expect(s?.replicas[0]?.url).toBe('http://10.244.1.17:8080');
    expect(s?.replicas[3]?.reason).toMatch(/8 Insufficient nvidia\.com\/gpu/);
    expect(s?.replicas[4]?.reason).toMatch(/^back-off 5m0s restarting failed container=model-server/);
    const podList = server.requests.find((r) => r.path === P.pods);
    expect(podList?.query).toEqual({ labelSelector: 'app.kubernetes.io/instance=llama-3-1-8b' });
    await runtime.close();
  });

  it('becomes Healthy with a Service endpoint once replicas are available, and tells listeners', async () => {
    const { runtime, server, changes } = await setup();
    await runtime.apply(seed7b());
    const before = changes();
    server.routes.set(`GET ${P.dep}`, { status: 200, fixture: 'deployment-available.json' });
    server.routes.set(`GET ${P.pods}`, { status: 200, fixture: 'pods-available.json' });
    await runtime.refresh();
    expect(changes()).toBe(before + 1);
    expect(runtime.endpoints()).toEqual([
      { namespace: NS, name: 'llama-3.1-8b', servedModelName: 'llama-3.1-8b', replicaId: 'service/llama-3-1-8b', url: 'http://llama-3-1-8b.production.svc.cluster.local:8080' },
    ]);
    const [listed] = await runtime.list();
    expect(listed).toMatchObject({ health: 'Healthy', desiredReplicas: 5, readyReplicas: 5 });
    expect(listed?.replicas.every((r) => r.phase === 'Ready')).toBe(true);
    await runtime.refresh();
    expect(changes()).toBe(before + 1); // nothing changed, nobody told
    await runtime.close();
  });

  it('Degraded when the rollout exceeds its progress deadline, or the HPA cannot read its metric', async () => {
    const { runtime, server } = await setup({ [`GET ${P.dep}`]: { status: 200, fixture: 'deployment-deadline-exceeded.json' } });
    await runtime.apply(seed7b());
    expect(await runtime.status({ namespace: NS, name: 'llama-3.1-8b' })).toMatchObject({ health: 'Degraded', message: 'Deployment "llama-3-1-8b" exceeded its progress deadline' });
    server.routes.set(`GET ${P.dep}`, { status: 200, fixture: 'deployment-available.json' });
    server.routes.set(`GET ${P.hpa}`, { status: 200, fixture: 'hpa-no-metrics.json' });
    const s = await runtime.status({ namespace: NS, name: 'llama-3.1-8b' });
    expect(s?.health).toBe('Degraded');
    expect(s?.message).toMatch(/unable to get metric DCGM_FI_DEV_GPU_UTIL/);
    await runtime.close();
  });

  it('scale patches only spec.replicas under its own field manager', async () => {
    const { runtime, server } = await setup();
    await runtime.apply(seed7b());
    const n = patches(server).length;
    await runtime.scale({ namespace: NS, name: 'llama-3.1-8b' }, 7);
    const [scale, ...rest] = patches(server).slice(n);
    expect(rest).toEqual([]);
    expect(scale).toEqual({
      method: 'PATCH',
      path: P.dep,
      query: { fieldManager: 'ployd-scale', force: 'true' },
      contentType: 'application/apply-patch+yaml',
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'llama-3-1-8b', namespace: NS }, spec: { replicas: 7 } },
    });
    await expect(runtime.scale({ namespace: NS, name: 'llama-3.1-8b' }, -1)).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await runtime.close();
  });

  it('a re-apply prunes objects the new render no longer has (autoscaling turned off → HPA deleted, replicas written)', async () => {
    const { runtime, server } = await setup({ [`DELETE ${P.hpa}`]: { status: 200, fixture: 'status-200-deleted.json' } });
    const md = seed7b();
    await runtime.apply(md);
    const n = server.requests.length;
    await runtime.apply(ModelDeployment.parse({ ...md, spec: { ...md.spec, scaling: { ...md.spec.scaling, enabled: false } } }) as typeof md);
    const after = server.requests.slice(n);
    expect(after.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([P.hpa]);
    const depPatch = after.find((r) => r.method === 'PATCH' && r.path === P.dep && !r.query.dryRun);
    expect((depPatch?.body as any).spec.replicas).toBe(5);
    expect(after.some((r) => r.method === 'PATCH' && r.path === P.hpa)).toBe(false);
    await runtime.close();
  });

  it('delete removes every object, newest first, and the endpoint with it', async () => {
    const { runtime, server } = await setup({
      [`GET ${P.dep}`]: { status: 200, fixture: 'deployment-available.json' },
      ...Object.fromEntries([P.svc, P.dep, P.pdb, P.hpa, P.sm].map((p) => [`DELETE ${p}`, { status: 200, fixture: 'status-200-deleted.json' }])),
    });
    await runtime.apply(seed7b());
    expect(runtime.endpoints()).toHaveLength(1);
    await runtime.delete({ namespace: NS, name: 'llama-3.1-8b' });
    expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([P.sm, P.hpa, P.pdb, P.dep, P.svc]);
    expect(runtime.endpoints()).toEqual([]);
    await runtime.close();
  });

  it('status of a model nobody applied is undefined; scale of one is E_NOT_FOUND', async () => {
    const { runtime } = await setup({
      [`GET /apis/apps/v1/namespaces/${NS}/deployments/ghost`]: { status: 404, fixture: 'status-404-deployment.json' },
      [`GET /apis/leaderworkerset.x-k8s.io/v1`]: { status: 404, fixture: 'status-404-page.json' },
    });
    expect(await runtime.status({ namespace: NS, name: 'ghost' })).toBeUndefined();
    await expect(runtime.scale({ namespace: NS, name: 'ghost' }, 2)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await runtime.close();
  });

  it('a multi-node model: applies a LeaderWorkerSet, lists only leaders as replicas, scales the LeaderWorkerSet', async () => {
    const lwsPath = `/apis/leaderworkerset.x-k8s.io/v1/namespaces/${NS}/leaderworkersets/llama-3-1-405b`;
    const big = `/api/v1/namespaces/${NS}/services/llama-3-1-405b`;
    const pdb = `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/llama-3-1-405b`;
    const { runtime, server } = await setup({
      'GET /apis/leaderworkerset.x-k8s.io/v1': { status: 200, fixture: 'discovery/apis-leaderworkerset.x-k8s.io-v1.json' },
      [`PATCH ${lwsPath}`]: { status: 200, fixture: 'leaderworkerset-ready.json' },
      [`GET ${lwsPath}`]: { status: 200, fixture: 'leaderworkerset-ready.json' },
      [`PATCH ${big}`]: { status: 200, fixture: 'service.json' },
      [`GET ${big}`]: { status: 200, fixture: 'service.json' },
      [`PATCH ${pdb}`]: { status: 200, fixture: 'pdb.json' },
      [`GET ${pdb}`]: { status: 200, fixture: 'pdb.json' },
    });
    const md = seed7b();
    const bigMd = ModelDeployment.parse({
      ...md,
      metadata: { ...md.metadata, name: 'llama-3.1-405b' },
      spec: { ...md.spec, model: { ...md.spec.model, parallelism: { tensor: 8, pipeline: 2 } }, resources: { gpu: { count: 16 } }, scaling: { enabled: false }, replicas: 2, monitoring: { enabled: true } },
    }) as typeof md;
    await runtime.apply(bigMd);
    const applied = patches(server).filter((r) => !r.query.dryRun);
    expect(applied.map((r) => r.path)).toEqual([big, lwsPath, pdb]);
    const rendered = renderKubernetes(bigMd).find((o) => o.kind === 'LeaderWorkerSet');
    expect(applied[1]?.body).toEqual(JSON.parse(JSON.stringify(rendered)));
    expect((applied[1]?.body as any).spec.leaderWorkerTemplate.size).toBe(2);
    const s = await runtime.status({ namespace: NS, name: 'llama-3.1-405b' });
    expect(s).toMatchObject({ health: 'Healthy', desiredReplicas: 2, readyReplicas: 2 });
    expect(server.requests.filter((r) => r.path === P.pods).at(-1)?.query).toEqual({ labelSelector: 'app.kubernetes.io/instance=llama-3-1-405b,ployd.ai/role=leader' });
    expect(runtime.endpoints().map((e) => e.url)).toEqual(['http://llama-3-1-405b.production.svc.cluster.local:8080']);
    await runtime.scale({ namespace: NS, name: 'llama-3.1-405b' }, 3);
    expect(patches(server).at(-1)).toMatchObject({ path: lwsPath, query: { fieldManager: 'ployd-scale', force: 'true' }, body: { kind: 'LeaderWorkerSet', spec: { replicas: 3 } } });
    await runtime.close();
  });
});
