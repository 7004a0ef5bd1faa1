/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   These tests walk rendered manifests as plain JSON; typing every path would only restate the
   Kubernetes schemas that schemaErrors() already checks. */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { GatewayRoute, ModelDeployment, parseResource } from '../../../src/resources/index.ts';
import { renderKubernetes, toYaml, type KubernetesObject } from '../../../src/runtime/kubernetes/index.ts';
import { schemaErrors } from './schema.ts';

type Json = Record<string, any>;

function seed(file: string): ModelDeployment {
  const r = parseResource(parse(readFileSync(new URL(`seed/${file}`, import.meta.url), 'utf8')));
  if (!r.parsed) throw new Error(JSON.stringify(r.issues));
  return ModelDeployment.parse(r.parsed.manifest);
}

function byKind(objects: readonly KubernetesObject[], kind: string): Json {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `one ${kind}`).toHaveLength(1);
  return found[0] as Json;
}

function expectSchemaValid(objects: readonly KubernetesObject[]): void {
  for (const o of objects) expect(schemaErrors(o as Json), `${o.kind}/${o.metadata.name}`).toEqual([]);
}

const container = (d: Json): Json => d.spec.template.spec.containers[0];
const argValue = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('schema validation rejects bad objects (so green means something)', () => {
  const objects = renderKubernetes(seed('llama-7b.yaml'));
  const mutate = (kind: string, f: (o: Json) => void): Json => {
    const o = structuredClone(byKind(objects, kind));
    f(o);
    return o;
  };
  it('Deployment: wrong type, missing required, unknown field, bad quantity', () => {
    expect(schemaErrors(mutate('Deployment', (o) => (o.spec.replicas = '5')))).toEqual([expect.stringMatching(/replicas must be integer/)]);
    expect(schemaErrors(mutate('Deployment', (o) => delete o.spec.selector))).toEqual([expect.stringMatching(/required property selector/)]);
    expect(schemaErrors(mutate('Deployment', (o) => (container(o).readinesProbe = {})))).toEqual([expect.stringMatching(/readinesProbe: unknown field of V1Container/)]);
    expect(schemaErrors(mutate('Deployment', (o) => (container(o).resources.limits.memory = '20 GiB'))).join()).toMatch(/quantity/);
  });
  it('HPA, PDB, Service: wrong types', () => {
    expect(schemaErrors(mutate('HorizontalPodAutoscaler', (o) => (o.spec.maxReplicas = '20'))).join()).toMatch(/maxReplicas must be integer/);
    expect(schemaErrors(mutate('PodDisruptionBudget', (o) => (o.spec.selector = 'app=x'))).join()).toMatch(/selector must be object/);
    expect(schemaErrors(mutate('Service', (o) => (o.spec.ports[0].port = 'http'))).join()).toMatch(/port must be integer/);
  });
  it('names and labels: Kubernetes syntax', () => {
    expect(schemaErrors(mutate('Service', (o) => (o.metadata.name = 'llama-3.1-8b')))).toEqual(['metadata.name llama-3.1-8b is not an RFC 1035 label']);
    expect(schemaErrors(mutate('Deployment', (o) => (o.spec.template.metadata.labels['ployd.ai/model'] = 'meta-llama/Llama')))).toEqual(['template label ployd.ai/model=meta-llama/Llama']);
  });
  it('ServiceMonitor: bad interval', () => {
    expect(schemaErrors(mutate('ServiceMonitor', (o) => (o.spec.endpoints[0].interval = '30 seconds'))).join()).toMatch(/must match pattern/);
  });
  it('ScaledObject: threshold must be a string', () => {
    const so = byKind(renderKubernetes(seed('llama-7b.yaml'), { autoscaler: 'keda' }), 'ScaledObject');
    expect(schemaErrors(so)).toEqual([]);
    so.spec.triggers[0].metadata.threshold = 5;
    expect(schemaErrors(so).join()).toMatch(/threshold must be string/);
  });
  it('LeaderWorkerSet: size type, missing workerTemplate, unknown field, bad pod template', () => {
    const lws = byKind(renderKubernetes(multiNode()), 'LeaderWorkerSet');
    expect(schemaErrors(lws)).toEqual([]);
    const bad = (f: (o: Json) => void): string => {
      const o = structuredClone(lws);
      f(o);
      return schemaErrors(o).join();
    };
    expect(bad((o) => (o.spec.leaderWorkerTemplate.size = '2'))).toMatch(/size must be integer/);
    expect(bad((o) => delete o.spec.leaderWorkerTemplate.workerTemplate)).toMatch(/must have required property 'workerTemplate'/);
    expect(bad((o) => (o.spec.startupPolicy = 'WhenReady'))).toMatch(/must be equal to one of the allowed values/);
    expect(bad((o) => (o.spec.leaderWorkerTemplate.sise = 2))).toMatch(/must NOT have additional properties/);
    expect(bad((o) => delete o.spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].name)).toMatch(/leaderTemplate: .*required property name/);
  });
});

function multiNode(): ModelDeployment {
  const md = seed('llama-70b.yaml');
  return ModelDeployment.parse({
    ...md,
    metadata: { ...md.metadata, name: 'llama-3.1-405b' },
    spec: {
      ...md.spec,
      model: { ...md.spec.model, path: 'hf://meta-llama/Llama-3.1-405B-Instruct', parallelism: { tensor: 8, pipeline: 2 } },
      resources: { gpu: { count: 16 }, cpu: { requests: '32', limits: '64' }, memory: { requests: '256Gi', limits: '320Gi' } },
      health: undefined,
    },
  });
}

describe.each([
  ['7B, 1 GPU', 'llama-7b.yaml', 1],
  ['13B, 2 GPUs', 'llama-13b.yaml', 2],
  ['70B, tensor parallel 8', 'llama-70b.yaml', 8],
] as const)('seed 000 %s', (_label, file, gpus) => {
  const md = seed(file);
  for (const autoscaler of ['hpa', 'keda'] as const) {
    it(`every object is schema-valid (${autoscaler})`, () => {
      const objects = renderKubernetes(md, { autoscaler });
      expect(objects.map((o) => o.kind)).toEqual(
        ['Service', 'Deployment', 'PodDisruptionBudget', autoscaler === 'hpa' ? 'HorizontalPodAutoscaler' : 'ScaledObject'].concat(file === 'llama-7b.yaml' ? ['ServiceMonitor'] : []),
      );
      expectSchemaValid(objects);
    });
  }

  const objects = renderKubernetes(md);
  const dep = byKind(objects, 'Deployment');
  const c = container(dep);

  it(`requests and limits exactly ${gpus} nvidia.com/gpu, with cpu and memory as written`, () => {
    expect(c.resources.requests['nvidia.com/gpu']).toBe(String(gpus));
    expect(c.resources.limits['nvidia.com/gpu']).toBe(String(gpus));
    const src = parse(readFileSync(new URL(`seed/${file}`, import.meta.url), 'utf8')).spec.resources;
    for (const side of ['requests', 'limits'] as const) {
      expect(c.resources[side].cpu).toBe(src[side].cpu);
      expect(c.resources[side].memory).toBe(src[side].memory);
    }
  });

  it('runs vLLM with the model, tensor parallel and serving limits', () => {
    expect(c.image).toBe('vllm/vllm-openai:v0.11.0');
    expect(argValue(c.args, '--model')).toBe(md.spec.model.path);
    expect(argValue(c.args, '--tensor-parallel-size')).toBe(String(md.spec.model.parallelism?.tensor ?? 1));
    expect(argValue(c.args, '--max-model-len')).toBe(String(md.spec.serving?.maxSequenceLength));
    expect(argValue(c.args, '--max-num-seqs')).toBe(String(md.spec.serving?.batchSize));
    expect(argValue(c.args, '--port')).toBe('8080');
  });

  it('probes /health on the http port; startup allows 30 minutes', () => {
    for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(c[p].httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(1800);
    expect(dep.spec.progressDeadlineSeconds).toBeGreaterThan(1800);
  });

  it('carries nodeSelector, tolerations and affinity over as written', () => {
    const pod = dep.spec.template.spec;
    expect(pod.nodeSelector).toEqual(md.spec.nodeSelector);
    expect(pod.tolerations).toEqual(md.spec.tolerations);
    expect(pod.affinity).toEqual(md.spec.affinity);
  });

  it('mounts a memory-backed /dev/shm sized for tensor parallel, drains before SIGTERM', () => {
    const shm = dep.spec.template.spec.volumes.find((v: Json) => v.name === 'dshm');
    expect(shm.emptyDir).toEqual({ medium: 'Memory', sizeLimit: gpus === 1 ? '1Gi' : `${2 * gpus}Gi` });
    expect(c.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    const script = c.lifecycle.preStop.exec.command[2] as string;
    expect(script).toMatch(/^sleep 15; /);
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBe(15 + 120 + 30);
  });

  it('leaves replicas to the autoscaler; HPA on DCGM GPU utilisation; PDB keeps all but one', () => {
    expect(dep.spec.replicas).toBeUndefined();
    const hpa = byKind(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name },
      minReplicas: md.spec.scaling?.minReplicas,
      maxReplicas: md.spec.scaling?.maxReplicas,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'DCGM_FI_DEV_GPU_UTIL' }, target: { type: 'AverageValue', averageValue: String(md.spec.scaling?.targetGPUUtilization) } } }],
    });
    expect(byKind(objects, 'PodDisruptionBudget').spec.minAvailable).toBe((md.spec.scaling?.minReplicas ?? 0) - 1);
  });

  it('labels pods with the standard and ployd labels, and the seed labels its affinity selects on', () => {
    const labels = dep.spec.template.metadata.labels;
    expect(labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ployd', 'ployd.ai/model': md.metadata.name, app: md.metadata.labels?.app });
    expect(dep.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': dep.metadata.name, 'app.kubernetes.io/instance': dep.metadata.name });
    expect(dep.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
  });

  it('Service: http 8080 and metrics, to the named container port', () => {
    const svc = byKind(objects, 'Service');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
  });
});

describe('without autoscaling', () => {
  it('writes replicas from spec, one-replica PDB allows eviction, CPU-only surges', () => {
    const md = ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'small', namespace: 'dev' }, spec: { model: { framework: 'llama.cpp', path: '/m.gguf' }, replicas: 1, resources: { cpu: { requests: '500m' } } } });
    const objects = renderKubernetes(md);
    expectSchemaValid(objects);
    const dep = byKind(objects, 'Deployment');
    expect(dep.metadata.namespace).toBe('dev');
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(container(dep).resources).toEqual({ requests: { cpu: '500m' } });
    expect(dep.spec.template.spec.volumes).toBeUndefined();
    expect(byKind(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(renderKubernetes(md, { namespace: 'prod' }).every((o) => o.metadata.namespace === 'prod')).toBe(true);
  });
  it('HPA falls back to CPU utilisation without GPUs; KEDA keeps min 0', () => {
    const md = ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'cpu' }, spec: { model: { framework: 'simulator' }, scaling: { minReplicas: 0, maxReplicas: 3, stabilizationWindow: '5m' } } });
    const hpa = byKind(renderKubernetes(md), 'HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(hpa.spec.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 300 } });
    const so = byKind(renderKubernetes(md, { autoscaler: 'keda' }), 'ScaledObject');
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers[0].metadata).toEqual({ serverAddress: 'http://prometheus-operated.monitoring.svc:9090', query: 'sum(vllm:num_requests_waiting{namespace="default",model_name="cpu"})', threshold: '5' });
    const inflight = ModelDeployment.parse({ ...md, spec: { ...md.spec, scaling: { ...md.spec.scaling, targetInFlightPerReplica: 12 } } });
    expect(byKind(renderKubernetes(inflight, { autoscaler: 'keda' }), 'ScaledObject').spec.triggers[0].metadata).toMatchObject({
      query: 'sum(vllm:num_requests_running{namespace="default",model_name="cpu"}) + sum(vllm:num_requests_waiting{namespace="default",model_name="cpu"})',
      threshold: '12',
    });
    const ollama = ModelDeployment.parse({ ...md, spec: { ...md.spec, model: { framework: 'ollama', name: 'llama3' } } });
    const ollamaObjects = renderKubernetes(ollama, { autoscaler: 'keda' });
    expect(byKind(ollamaObjects, 'ScaledObject').spec.triggers).toEqual([{ type: 'cpu', metricType: 'Utilization', metadata: { value: '80' } }]);
    expect(byKind(ollamaObjects, 'Service').spec.ports.map((p: Json) => p.name)).toEqual(['http']);
    expect(byKind(ollamaObjects, 'Deployment').spec.template.metadata.annotations).toBeUndefined();
    expectSchemaValid(ollamaObjects);
    expectSchemaValid(renderKubernetes(md, { autoscaler: 'keda' }));
  });
});

describe('multi-node (tensor 8 × pipeline 2 on 8-GPU nodes)', () => {
  const objects = renderKubernetes(multiNode(), { autoscaler: 'hpa' });
  const lws = byKind(objects, 'LeaderWorkerSet');
  const t = lws.spec.leaderWorkerTemplate;

  it('renders a schema-valid LeaderWorkerSet instead of a Deployment', () => {
    expect(objects.map((o) => o.kind)).toEqual(['Service', 'LeaderWorkerSet', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']);
    expectSchemaValid(objects);
  });
  it('groups of 2 pods with 8 GPUs each; a failed pod recreates its group', () => {
    expect(t.size).toBe(2);
    expect(t.restartPolicy).toBe('RecreateGroupOnPodRestart');
    for (const role of ['leaderTemplate', 'workerTemplate']) {
      const r = t[role].spec.containers[0].resources;
      expect(r.requests['nvidia.com/gpu']).toBe('8');
      expect(r.limits['nvidia.com/gpu']).toBe('8');
      expect(t[role].spec.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } }]);
      expect(t[role].spec.tolerations).toEqual(multiNode().spec.tolerations);
    }
  });
  it('leader serves with pipeline parallel 2 over Ray and is probed; workers only join', () => {
    const leader = t.leaderTemplate.spec.containers[0];
    expect(leader.args[0]).toMatch(/multi-node-serving\.sh leader --ray_cluster_size=\$\(LWS_GROUP_SIZE\); exec python3 -m vllm\.entrypoints\.openai\.api_server /);
    expect(leader.args[0]).toContain('--tensor-parallel-size 8 --pipeline-parallel-size 2 ');
    expect(leader.args[0]).toContain(' --distributed-executor-backend ray ');
    expect(leader.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const worker = t.workerTemplate.spec.containers[0];
    expect(worker.args[0]).toMatch(/multi-node-serving\.sh worker --ray_address=\$\(LWS_LEADER_ADDRESS\)$/);
    expect(worker.readinessProbe).toBeUndefined();
    expect(worker.ports).toBeUndefined();
  });
  it('Service selects leaders only; HPA scales the LeaderWorkerSet; PDB counts every pod of a group', () => {
    expect(byKind(objects, 'Service').spec.selector['ployd.ai/role']).toBe('leader');
    expect(t.leaderTemplate.metadata.labels['ployd.ai/role']).toBe('leader');
    expect(byKind(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'llama-3-1-405b' });
    expect(byKind(objects, 'PodDisruptionBudget').spec.minAvailable).toBe(2);
  });
  it('a gpusPerNode that fits the replica gives a Deployment again', () => {
    expect(renderKubernetes(multiNode(), { gpusPerNode: 16 }).map((o) => o.kind)).toContain('Deployment');
  });
});

describe('GatewayRoutes as a route-table ConfigMap', () => {
  const route = GatewayRoute.parse({
    apiVersion: 'ployd.ai/v1',
    kind: 'GatewayRoute',
    metadata: { name: 'llm', namespace: 'production' },
    spec: {
      rules: [{ matches: [{ headers: [{ name: 'x-model-tier', value: 'enterprise' }] }], backends: [{ name: 'llama-3.1-70b' }] }],
      models: [{ name: 'llama-3.1-8b' }],
      routing: { timeout: '90s', perTryTimeout: '30s', backoff: { base: '50ms', max: '2s' } },
      circuitBreaker: { recoveryTimeout: '1m' },
    },
  });
  const objects = renderKubernetes([seed('llama-7b.yaml'), { ...seed('llama-70b.yaml'), metadata: { ...seed('llama-70b.yaml').metadata, namespace: 'production' } }, route]);
  const cm = byKind(objects, 'ConfigMap');

  it('is schema-valid and holds routes, models and one Service endpoint per model', () => {
    expectSchemaValid(objects);
    expect(cm.metadata).toMatchObject({ name: 'ployd-gateway-routes', namespace: 'production' });
    expect(parse(cm.data['endpoints.yaml'])).toEqual([
      { namespace: 'production', name: 'llama-3.1-8b', servedModelName: 'llama-3.1-8b', replicaId: 'service/llama-3-1-8b', url: 'http://llama-3-1-8b.production.svc.cluster.local:8080' },
      { namespace: 'production', name: 'llama-3.1-70b', servedModelName: 'llama-3.1-70b', replicaId: 'service/llama-3-1-70b', url: 'http://llama-3-1-70b.production.svc.cluster.local:8080' },
    ]);
    const models = parseAllDocuments(cm.data['deployments.yaml']).map((d) => ModelDeployment.parse(d.toJS()));
    expect(models.map((m) => m.metadata.name)).toEqual(['llama-3.1-8b', 'llama-3.1-70b']);
  });
  it('routes round-trip: durations are written back as durations, not as seconds', () => {
    const back = parseAllDocuments(cm.data['routes.yaml']).map((d) => GatewayRoute.parse(d.toJS()));
    expect(back).toEqual([route]);
    expect(cm.data['routes.yaml']).toContain('timeout: 1m30s');
  });
});

describe('whole config repos: passthrough kinds, other PloyD kinds, collisions', () => {
  const parsed = (raw: Json) => {
    const r = parseResource(raw);
    if (!r.parsed) throw new Error(JSON.stringify(r.issues));
    return r.parsed.resource;
  };
  const ns = parsed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } });
  const secret = parsed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hf-token' }, type: 'Opaque', stringData: { token: 'x' } });
  const policy = parsed({ apiVersion: 'ployd.ai/v1', kind: 'Policy', metadata: { name: 'p' }, spec: { validations: [{ expression: 'true', message: 'm' }] } });

  it('emits plain Kubernetes objects as written, cluster-scoped first; skips control-plane kinds', () => {
    const objects = renderKubernetes([seed('llama-13b.yaml'), secret, ns, policy]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/production', 'Secret/hf-token', 'Service/llama-13b', 'Deployment/llama-13b', 'PodDisruptionBudget/llama-13b', 'HorizontalPodAutoscaler/llama-13b']);
    expect(byKind(objects, 'Secret')).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hf-token' }, type: 'Opaque', stringData: { token: 'x' } });
    expectSchemaValid(objects.filter((o) => o.kind !== 'Secret' && o.kind !== 'Namespace'));
  });
  it('an explicit namespace applies to namespaced passthrough objects only', () => {
    const objects = renderKubernetes([secret, ns], { namespace: 'staging' });
    expect(byKind(objects, 'Secret').metadata.namespace).toBe('staging');
    expect(byKind(objects, 'Namespace').metadata.namespace).toBeUndefined();
  });
  it('two sources of one object is an error naming both', () => {
    const svc = parsed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'llama-13b', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    expect(() => renderKubernetes([svc, seed('llama-13b.yaml')])).toThrow('Service default/llama-13b is rendered from Service/llama-13b as written and again from ModelDeployment/llama-13b');
    const md = seed('llama-13b.yaml');
    const twin = ModelDeployment.parse({ ...md, metadata: { ...md.metadata, name: 'llama.13b' } });
    expect(() => renderKubernetes([md, twin])).toThrow(expect.objectContaining({ code: 'E_K8S_RENDER' }));
  });
});

describe('toYaml', () => {
  it('is a multi-document stream that parses back to the objects', () => {
    const objects = renderKubernetes(seed('llama-70b.yaml'));
    const docs = parseAllDocuments(toYaml(objects)).map((d) => d.toJS() as unknown);
    expect(docs).toEqual(JSON.parse(JSON.stringify(objects)));
  });
});

describe('bad input', () => {
  const base = seed('llama-70b.yaml');
  it('tensor parallel beyond the GPU count is refused with E_TENSOR_PARALLEL naming the field', () => {
    const md = ModelDeployment.parse({ ...base, spec: { ...base.spec, resources: { gpu: { count: 4 } } } });
    expect(() => renderKubernetes(md)).toThrow(expect.objectContaining({ code: 'E_TENSOR_PARALLEL', details: { name: 'llama-3.1-70b', field: 'spec.resources.gpu.count' } }));
  });
  it('a bad gpusPerNode is a usage error', () => {
    expect(() => renderKubernetes(base, { gpusPerNode: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('preStop drain script (run with /bin/sh and python3 against a fake /metrics)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });
  const hasPython = ((): boolean => {
    try {
      execFileSync('python3', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasPython)('(skips without python3) waits while requests are in flight and returns once none are', async () => {
    let scrapes = 0;
    server = createServer((_req, res) => {
      scrapes += 1;
      const running = scrapes < 3 ? 2 : 0;
      res.end(`# HELP vllm:num_requests_running x\nvllm:num_requests_running{engine="0",model_name="m"} ${running}.0\nvllm:num_requests_waiting{engine="0",model_name="m"} 0.0\nvllm:num_requests_swapped 7.0\n`);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const md = ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: {}, serving: { port } } });
    const dep = byKind(renderKubernetes(md, { endpointPropagationSeconds: 0, drainTimeoutSeconds: 20 }), 'Deployment');
    const [sh, flag, script] = container(dep).lifecycle.preStop.exec.command as string[];
    await promisify(execFile)(sh!, [flag!, script!], { timeout: 15_000 });
    expect(scrapes).toBe(3);
  });

  it.skipIf(!hasPython)('(skips without python3) gives up when the server does not answer', async () => {
    const md = ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: {}, serving: { port: 1 } } });
    const dep = byKind(renderKubernetes(md, { endpointPropagationSeconds: 0, drainTimeoutSeconds: 60 }), 'Deployment');
    const [sh, flag, script] = container(dep).lifecycle.preStop.exec.command as string[];
    await expect(promisify(execFile)(sh!, [flag!, script!], { timeout: 15_000 })).resolves.toBeDefined();
  });
});
