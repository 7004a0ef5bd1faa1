import { afterEach, describe, expect, it, vi } from 'vitest';
import { keyString } from '../../src/controller/diff.ts';
import { applyResource, resourceHealth } from '../../src/controller/live.ts';
import type { ModelDeployment } from '../../src/resources/index.ts';
import { createPloyd, MemoryRuntime, type Actor } from '../../src/sdk/index.ts';
import type { Store } from '../../src/store/index.ts';
import { testStore } from './harness.ts';

const gitops: Actor = { subject: 'system:gitops', groups: ['role:admin'], via: 'gitops', commit: 'abc123' };
const labels = { 'ployd.ai/application': 'shop', 'ployd.ai/project': 'default' };
const policy = (message: string): Record<string, unknown> => ({
  apiVersion: 'ployd.ai/v1',
  kind: 'Policy',
  metadata: { name: 'routes-require-auth', namespace: 'dev', labels },
  spec: { match: { kinds: ['GatewayRoute'] }, validations: [{ expression: 'has(object.spec.authentication)', message }], action: 'deny' },
});
const route = (weight: number): Record<string, unknown> => ({
  apiVersion: 'ployd.ai/v1',
  kind: 'GatewayRoute',
  metadata: { name: 'chat', namespace: 'dev', labels },
  spec: { path: '/chat', models: [{ name: 'm', weight }] },
});

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
});

// A resumed sync re-runs the applies since its last progress write: re-applying must write nothing.
describe('applyResource is idempotent (what a resumed sync relies on)', () => {
  it('a Policy or route applied twice is stored and audited once; a change replaces it', async () => {
    store = await testStore();
    const ployd = createPloyd({ store });
    const actions = async (): Promise<string[]> => (await ployd.audit.list({ limit: 100 })).items.map((e) => e.action).reverse();
    await applyResource(ployd, 'Policy', policy('auth required'), gitops, false);
    await applyResource(ployd, 'Policy', policy('auth required'), gitops, true);
    expect(await actions()).toEqual(['policy.create']);
    await applyResource(ployd, 'Policy', policy('routes must require authentication'), gitops, true);
    expect(await actions()).toEqual(['policy.create', 'policy.delete', 'policy.create']);

    // A wrong existence hint costs a retry, never a failure or a duplicate.
    await applyResource(ployd, 'GatewayRoute', route(100), gitops, true);
    await applyResource(ployd, 'GatewayRoute', route(100), gitops, false);
    await applyResource(ployd, 'GatewayRoute', route(100), gitops);
    expect((await actions()).filter((a) => a.startsWith('route.'))).toEqual(['route.create']);
    await applyResource(ployd, 'GatewayRoute', route(90), gitops, false);
    expect((await actions()).filter((a) => a.startsWith('route.'))).toEqual(['route.create', 'route.update']);
    expect((await store.resources.get({ kind: 'GatewayRoute', namespace: 'dev', name: 'chat' }))?.application).toBe('shop');
    await ployd.close();
  });
});

// The health wait's first poll uses the deployment the apply just wrote instead of reading it back.
describe('a deployment applied, then its health', () => {
  it('applyResource hands back the stored deployment; resourceHealth with it reads no resource, with true it does', async () => {
    store = await testStore();
    const runtime = new MemoryRuntime();
    const ployd = createPloyd({ store, runtime });
    const manifest = {
      apiVersion: 'ployd.ai/v1',
      kind: 'ModelDeployment',
      metadata: { name: 'm', namespace: 'dev', labels },
      spec: { model: { name: 'm', framework: 'simulator', path: 'hf://x/m' }, replicas: 1 },
    };
    const deployed = new Map<string, ModelDeployment>();
    await applyResource(ployd, 'ModelDeployment', manifest, gitops, false, deployed);
    const key = { kind: 'ModelDeployment', namespace: 'dev', name: 'm' };
    const stored = deployed.get(keyString(key));
    expect(stored).toEqual((await store.resources.get(key))?.spec);

    const reads = vi.spyOn(store.resources, 'require');
    const gets = vi.spyOn(store.resources, 'get');
    expect(await resourceHealth(ployd, key, { stored })).toEqual({ health: 'Healthy' });
    expect(reads.mock.calls.length + gets.mock.calls.length).toBe(0);
    expect(await resourceHealth(ployd, key, true)).toEqual({ health: 'Healthy' });
    expect(reads.mock.calls.length + gets.mock.calls.length).toBeGreaterThan(0);
    await ployd.close();
  });
});
