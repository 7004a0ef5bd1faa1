import { afterEach, describe, expect, it } from 'vitest';
import { createKubernetesRuntime } from '../../../src/runtime/kubernetes/index.ts';
import { startFakeApiServer, type FakeApiServer } from './api-server.ts';

let api: FakeApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/metadata.name': name } }, status: { phase: 'Active' } });

describe('Kubernetes runtime: namespaces (CreateNamespace)', () => {
  it('reads a namespace as present or absent, and creates one by server-side apply, labelled as PloyD’s', async () => {
    api = await startFakeApiServer({
      'GET /api/v1/namespaces/staging': { status: 200, json: namespace('staging') },
      'GET /api/v1/namespaces/dev': { status: 404, fixture: 'status-404-page.json' },
      'PATCH /api/v1/namespaces/dev': { status: 201, json: namespace('dev') },
    });
    const runtime = createKubernetesRuntime({ kubeConfig: api.kubeConfig(), pollIntervalMs: 0 });
    try {
      expect(await runtime.namespaces?.exists('staging')).toBe(true);
      expect(await runtime.namespaces?.exists('dev')).toBe(false);
      await runtime.namespaces?.create('dev');
      const patches = api.requests.filter((r) => r.method === 'PATCH');
      // A dry run first, then the apply: a cluster-scoped path, no namespace in it.
      expect(patches.map((r) => [r.path, r.query.dryRun ?? ''])).toEqual([
        ['/api/v1/namespaces/dev', 'All'],
        ['/api/v1/namespaces/dev', ''],
      ]);
      expect(patches[1]?.contentType).toBe('application/apply-patch+yaml');
      expect(patches[1]?.body).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { 'app.kubernetes.io/managed-by': 'ployd' } } });
      expect(api.unmatched).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
