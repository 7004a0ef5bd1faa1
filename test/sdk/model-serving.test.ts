import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NO_RUNTIME_MESSAGE } from '../../src/sdk/index.ts';
import { alice, codeOf, errorOf, gitops, useHarness } from './harness.ts';

/** Seed 001's ModelDeployment, verbatim. */
const SEED_MANIFEST = parse(`
apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: llama-7b-chat-v2-1
  namespace: ployd-ai-gateway
  labels:
    app.kubernetes.io/name: llama-7b-chat
    app.kubernetes.io/version: v2.1
    model.ployd.ai/framework: vllm
spec:
  modelRegistry:
    modelId: "model_123456"
    version: "v2.1"
  model:
    name: "llama-7b-chat"
    version: "v2.1"
    framework: "vllm"
    path: "s3://company-models/llama-7b-chat-v2.1"
    parameters:
      max_tokens: 2048
      temperature: 0.7
    vllm:
      tensor_parallel_size: 2
      max_model_len: 4096
      gpu_memory_utilization: 0.9
  resources:
    gpu:
      count: 2
      type: "nvidia-tesla-v100"
    cpu:
      requests: "4000m"
      limits: "8000m"
    memory:
      requests: "16Gi"
      limits: "32Gi"
  scaling:
    minReplicas: 1
    maxReplicas: 5
    targetGPUUtilization: 70
  health:
    livenessProbe:
      httpGet:
        path: /health
        port: 8080
      initialDelaySeconds: 60
    readinessProbe:
      httpGet:
        path: /ready
        port: 8080
      initialDelaySeconds: 30
`) as Record<string, unknown>;

const H = useHarness();

describe('ModelServing', () => {
  it('deploys seed 001 manifest: stored parsed and as written, applied to the runtime, published', async () => {
    const h = H.current;
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    expect(md).toMatchObject({ namespace: 'ployd-ai-gateway', name: 'llama-7b-chat-v2-1', resourceVersion: 1 });
    expect(md.resource.spec.resources?.memory?.requests).toBe(16 * 2 ** 30);
    expect(md.manifest).toEqual(SEED_MANIFEST);
    expect(h.runtime?.calls).toEqual([{ op: 'apply', namespace: 'ployd-ai-gateway', name: 'llama-7b-chat-v2-1', replicas: 1 }]);
    expect(h.sink.last?.deployments.map((d) => d.metadata.name)).toEqual(['llama-7b-chat-v2-1']);
    expect(h.sink.last?.endpoints).toHaveLength(1);
    const status = await h.ployd.modelServing.getStatus({ name: 'llama-7b-chat-v2-1', namespace: 'ployd-ai-gateway' });
    expect(status).toMatchObject({ health: 'Healthy', readyReplicas: 1, desiredReplicas: 1, runtime: 'memory' });
    expect((await h.store.live.getDeploymentStatus('ployd-ai-gateway', 'llama-7b-chat-v2-1'))?.health).toBe('Healthy');
  });

  it("accepts seed 001's keyword call and converts it to the same kind of manifest", async () => {
    const h = H.current;
    const md = await h.ployd.modelServing.deployModel(
      {
        name: 'llama-7b-chat-v2-1',
        modelPath: 's3://models/llama-7b-chat-v2.1',
        framework: 'vllm',
        gpuCount: 2,
        minReplicas: 1,
        maxReplicas: 5,
        frameworkConfig: { vllm: { tensor_parallel_size: 2, gpu_memory_utilization: 0.9 } },
      },
      alice,
    );
    expect(md.namespace).toBe('default');
    expect(md.resource.spec).toMatchObject({
      model: { framework: 'vllm', path: 's3://models/llama-7b-chat-v2.1', vllm: { tensor_parallel_size: 2, gpu_memory_utilization: 0.9 } },
      resources: { gpu: { count: 2 } },
      scaling: { minReplicas: 1, maxReplicas: 5 },
    });
  });

  it('re-applying an unchanged manifest is a no-op; a change bumps the version; a stale version conflicts', async () => {
    const h = H.current;
    const v1 = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    const again = await h.ployd.modelServing.deployModel(structuredClone(SEED_MANIFEST), gitops);
    expect(again.resourceVersion).toBe(1);
    const changed = structuredClone(SEED_MANIFEST) as { spec: { scaling: { maxReplicas: number } } };
    changed.spec.scaling.maxReplicas = 8;
    const v2 = await h.ployd.modelServing.deployModel(changed, gitops, { resourceVersion: v1.resourceVersion });
    expect(v2.resourceVersion).toBe(2);
    expect(await codeOf(h.ployd.modelServing.deployModel(changed, gitops, { resourceVersion: 1 }))).toBe('E_CONFLICT');
    const audit = await h.ployd.audit.list({ resource: 'ModelDeployment/ployd-ai-gateway/' });
    expect(audit.items.map((a) => a.action)).toEqual(['model.update', 'model.deploy']);
  });

  it("accepts seed 000's llm-d LLMDeployment, converted to a ModelDeployment", async () => {
    const h = H.current;
    const llmd = parse(`
apiVersion: inference.llm-d.io/v1alpha1
kind: LLMDeployment
metadata:
  name: llama-3.1-8b
  namespace: development
  labels: { app: llama-3.1-8b, managed-by: gitops }
spec:
  model:
    name: llama-3.1-8b
    source: { modelUri: s3://model-registry/llama-3.1-8b/v1.0.0 }
    framework: pytorch
    architecture: llama-3.1
    parameters: 7000000000
  replicas: 1
  resources:
    requests: { nvidia.com/gpu: "1", memory: "8Gi", cpu: "4" }
    limits: { nvidia.com/gpu: "1", memory: "12Gi", cpu: "8" }
  serving: { protocol: http, port: 8080, batchSize: 4, maxSequenceLength: 4096 }
  autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, targetGPUUtilization: 70 }
`) as Record<string, unknown>;
    const md = await h.ployd.modelServing.deployModel(llmd, gitops);
    expect(md.resource.kind).toBe('ModelDeployment');
    expect(md.manifest.kind).toBe('ModelDeployment');
    expect(md).toMatchObject({ namespace: 'development', name: 'llama-3.1-8b' });
    expect(md.resource.spec.model.path).toBe('s3://model-registry/llama-3.1-8b/v1.0.0');
    expect(h.runtime?.endpoints()).toHaveLength(1);
  });

  it('refuses bad input with field paths and stores nothing', async () => {
    const h = H.current;
    const bad = structuredClone(SEED_MANIFEST) as { spec: { scaling: { minReplicas: unknown }; replicass?: number } };
    bad.spec.scaling.minReplicas = 'one';
    const err = await errorOf(h.ployd.modelServing.deployModel(bad, alice));
    expect(err.code).toBe('E_VALIDATION');
    expect(err.message).toContain('spec.scaling.minReplicas');
    expect(err.details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['spec', 'scaling', 'minReplicas'] })]));

    const typo = structuredClone(SEED_MANIFEST) as { spec: Record<string, unknown> };
    typo.spec.replicass = 2;
    const e2 = await errorOf(h.ployd.modelServing.deployModel(typo, alice));
    expect(e2.code).toBe('E_VALIDATION');
    expect(e2.message).toContain('replicass');

    expect(await codeOf(h.ployd.modelServing.deployModel({ name: 'x', modelPath: 's3://x', gpuCount: -1 }, alice))).toBe('E_VALIDATION');
    expect(await codeOf(h.ployd.modelServing.deployModel({ ...SEED_MANIFEST, kind: 'GatewayRoute' }, alice))).toBe('E_VALIDATION');
    expect(await codeOf(h.ployd.modelServing.deployModel(SEED_MANIFEST, { subject: '', groups: [], via: 'api' }))).toBe('E_VALIDATION');
    expect(await codeOf(h.ployd.modelServing.deployModel(SEED_MANIFEST, { subject: 'x', groups: [], via: 'carrier-pigeon' as 'api' }))).toBe('E_VALIDATION');
    expect((await h.ployd.modelServing.listModels()).items).toHaveLength(0);
    expect((await h.ployd.audit.list()).items).toHaveLength(0);
    expect(h.runtime?.calls).toEqual([]);
  });

  it('scales within bounds, refuses outside them, and tells the runtime', async () => {
    const h = H.current;
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    const ref = { name: md.name, namespace: md.namespace };
    const scaled = await h.ployd.modelServing.scaleModel(ref, 3, alice, { resourceVersion: md.resourceVersion });
    expect(scaled.resource.spec.replicas).toBe(3);
    expect((scaled.manifest.spec as { replicas: number }).replicas).toBe(3);
    expect(h.runtime?.calls.at(-1)).toEqual({ op: 'scale', ...ref, replicas: 3 });
    expect(h.runtime?.endpoints()).toHaveLength(3);
    expect(await codeOf(h.ployd.modelServing.scaleModel(ref, 6, alice))).toBe('E_REPLICA_BOUNDS');
    expect(await codeOf(h.ployd.modelServing.scaleModel(ref, 2, alice, { resourceVersion: 1 }))).toBe('E_CONFLICT');
    expect(await codeOf(h.ployd.modelServing.scaleModel({ name: 'absent' }, 2, alice))).toBe('E_NOT_FOUND');
    expect(await codeOf(h.ployd.modelServing.scaleModel(ref, 1.5, alice))).toBe('E_VALIDATION');
  });

  it('deletes from store and runtime; reports Missing/NotFound afterwards', async () => {
    const h = H.current;
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    const ref = { name: md.name, namespace: md.namespace };
    await h.ployd.modelServing.deleteModel(ref, alice);
    expect(await codeOf(h.ployd.modelServing.getModel(ref))).toBe('E_NOT_FOUND');
    expect(h.runtime?.endpoints()).toHaveLength(0);
    expect(h.sink.last?.deployments).toHaveLength(0);
    expect(await codeOf(h.ployd.modelServing.deleteModel(ref, alice))).toBe('E_NOT_FOUND');
  });

  it("records the GitOps application label in the resource row (so an app's objects are found by index)", async () => {
    const h = H.current;
    const labelled = structuredClone(SEED_MANIFEST) as { metadata: { labels: Record<string, string> } };
    labelled.metadata.labels['ployd.ai/application'] = 'chat-dev';
    const md = await h.ployd.modelServing.deployModel(labelled, gitops);
    const key = { kind: 'ModelDeployment', namespace: md.namespace, name: md.name };
    expect((await h.store.resources.get(key))?.application).toBe('chat-dev');
    await h.ployd.modelServing.scaleModel({ name: md.name, namespace: md.namespace }, 2, alice);
    expect((await h.store.resources.get(key))?.application).toBe('chat-dev');
    await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops); // label removed
    expect((await h.store.resources.get(key))?.application).toBeNull();
  });

  it('getStatus stores an observed status when it changes, an unchanged one only every 30 s', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const h = H.make({ now: () => new Date(clock) });
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    const ref = { name: md.name, namespace: md.namespace };
    const observed = async (): Promise<string | undefined> => (await h.store.live.getDeploymentStatus(md.namespace, md.name))?.observedAt.toISOString();
    await h.ployd.modelServing.getStatus(ref);
    expect(await observed()).toBe('2026-01-01T00:00:00.000Z');
    clock += 10_000;
    expect((await h.ployd.modelServing.getStatus(ref)).observedAt.toISOString()).toBe('2026-01-01T00:00:10.000Z');
    expect(await observed()).toBe('2026-01-01T00:00:00.000Z'); // unchanged: not rewritten
    h.runtime?.setReplicaPhase(ref, 0, 'Starting');
    expect((await h.ployd.modelServing.getStatus(ref)).health).not.toBe('Healthy');
    expect(await observed()).toBe('2026-01-01T00:00:10.000Z'); // changed: stored at once
    clock += 31_000;
    await h.ployd.modelServing.getStatus(ref);
    expect(await observed()).toBe('2026-01-01T00:00:41.000Z'); // unchanged but old: refreshed
  });

  it('without a runtime: records desired state, health Unknown saying why', async () => {
    const h = H.make({ runtime: false });
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    const s = await h.ployd.modelServing.getStatus({ name: md.name, namespace: md.namespace });
    expect(s).toMatchObject({ health: 'Unknown', message: NO_RUNTIME_MESSAGE, desiredReplicas: 1, readyReplicas: 0 });
    expect(s.message).toMatch(/no runtime is attached/);
  });

  it('getStatus uses the desired record the caller passes (no store read); without one, a deployment gone from the store is E_NOT_FOUND', async () => {
    const h = H.make({ runtime: false });
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    const ref = { name: md.name, namespace: md.namespace };
    const desired = { ...md.resource, spec: { ...md.resource.spec, replicas: 3 } };
    // The passed record is what is used: its replicas, not the stored ones (1).
    expect(await h.ployd.modelServing.getStatus(ref, { desired })).toMatchObject({ health: 'Unknown', desiredReplicas: 3 });
    await h.ployd.modelServing.deleteModel(ref, alice);
    expect(await codeOf(h.ployd.modelServing.getStatus(ref))).toBe('E_NOT_FOUND');
    const other = { ...md.resource, metadata: { ...md.resource.metadata, name: 'someone-else' } };
    expect(await codeOf(h.ployd.modelServing.getStatus(ref, { desired: other }))).toBe('E_VALIDATION');
  });

  it('a failing runtime does not undo desired state: a Warning event says what failed', async () => {
    const h = H.current;
    h.runtime?.failNext(new Error('not enough GPUs: need 2, 0 free'));
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    expect(md.resourceVersion).toBe(1);
    const events = await h.store.events.list({ kind: 'ModelDeployment', name: md.name });
    expect(events.items[0]).toMatchObject({ type: 'Warning', reason: 'RuntimeApplyFailed', message: 'not enough GPUs: need 2, 0 free' });
    expect((await h.ployd.modelServing.getStatus({ name: md.name, namespace: md.namespace })).health).toBe('Missing');
  });

  it("republishes the route table when the runtime's endpoints change", async () => {
    const h = H.current;
    const md = await h.ployd.modelServing.deployModel(SEED_MANIFEST, gitops);
    await h.ployd.aiGateway.republish();
    expect(h.sink.last?.endpoints).toHaveLength(1);
    h.runtime?.setReplicaPhase({ namespace: md.namespace, name: md.name }, 0, 'CrashLoop', 'exit 1');
    await h.ployd.aiGateway.republish();
    expect(h.sink.last?.endpoints).toHaveLength(0);
    expect((await h.ployd.modelServing.getStatus({ name: md.name, namespace: md.namespace })).health).toBe('Degraded');
  });

  it('lists with pagination', async () => {
    const h = H.make({ runtime: false });
    for (let i = 0; i < 5; i++) await h.ployd.modelServing.deployModel({ name: `m${i}`, modelPath: 's3://x' }, alice);
    const p1 = await h.ployd.modelServing.listModels({ limit: 2 });
    expect(p1.items.map((m) => m.name)).toEqual(['m0', 'm1']);
    const p2 = await h.ployd.modelServing.listModels({ limit: 10, ...(p1.nextCursor ? { cursor: p1.nextCursor } : {}) });
    expect(p2.items.map((m) => m.name)).toEqual(['m2', 'm3', 'm4']);
    expect(p2.nextCursor).toBeUndefined();
  });
});
