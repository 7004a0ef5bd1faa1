import { describe, expect, it } from 'vitest';
import { formatDiagnostic, hasErrors } from '../errors/index.ts';
import { POD_SECURITY_POLICIES } from './policies/examples.ts';
import { loadResources, loadYaml } from './testing.ts';
import { validateResources } from './validate.ts';

// Seed 001, completed with the v2-0 deployment its route and canary name.
const SEED_001 = `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: llama-7b-chat-v2-1
  namespace: ployd-ai-gateway
spec:
  model:
    name: "llama-7b-chat"
    framework: "vllm"
    path: "s3://company-models/llama-7b-chat-v2.1"
    vllm:
      tensor_parallel_size: 2
      max_model_len: 4096
      gpu_memory_utilization: 0.9
  resources:
    gpu:
      count: 2
      type: "nvidia-tesla-v100"
    memory:
      requests: "16Gi"
      limits: "32Gi"
  scaling:
    minReplicas: 1
    maxReplicas: 5
    targetGPUUtilization: 70
---
apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: llama-7b-chat-v2-0
  namespace: ployd-ai-gateway
spec:
  model:
    framework: vllm
    path: s3://company-models/llama-7b-chat-v2.0
---
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
---
apiVersion: ployd.ai/v1
kind: CanaryDeployment
metadata:
  name: llama-7b-chat-canary
spec:
  stable:
    model: "llama-7b-chat-v2-0"
    replicas: 3
  canary:
    model: "llama-7b-chat-v2-1"
    replicas: 1
  traffic:
    canaryWeight: 10
    maxWeight: 100
    stepWeight: 10
    interval: "5m"
`;

describe('validateResources', () => {
  it('finds nothing wrong with seed 001 plus its policies', () => {
    const resources = loadResources(`${SEED_001}---\n${POD_SECURITY_POLICIES}`, { file: 'environments/production/platform.yaml', environment: 'production' });
    const ds = validateResources(resources, { files: [{ path: 'environments/production/platform.yaml', text: SEED_001 }] });
    expect(ds.map(formatDiagnostic)).toEqual([]);
  });

  it('runs schema, semantics, policies, rego and secrets, sorted by file, line, column', () => {
    const text = `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: m
spec:
  model: { framework: vllm }
  replicas: 9
  scaling: { minReplicas: 1, maxReplicas: 3, maxReplica: 4 }
---
apiVersion: v1
kind: Pod
metadata:
  name: root
spec:
  containers:
    - name: c
      image: x
      env:
        - name: DB_PASSWORD
          value: hunter2
      securityContext: { runAsRoot: true, readOnlyRootFilesystem: true }
`;
    const { resources } = loadYaml(`${text}---\n${POD_SECURITY_POLICIES}`, { file: 'a.yaml' });
    const ds = validateResources(resources, { files: [{ path: 'a.yaml', text }], paths: ['a.yaml', 'policies/pod.rego'] });
    expect(ds.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      'a.yaml:7:3 E_REPLICA_BOUNDS',
      'a.yaml:8:46 W_UNKNOWN_FIELD',
      'a.yaml:10:1 E_POLICY_DENY',
      'a.yaml:11:1 W_PASSTHROUGH',
      'a.yaml:20:18 E_SECRET_PLAINTEXT',
      'policies/pod.rego:1:1 E_REGO_UNSUPPORTED',
    ]);
    expect(hasErrors(ds)).toBe(true);
  });

  it('reports documents that failed their schema and skips resources with schema errors in later rules', () => {
    const bad = `apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: r
spec:
  models:
    - name: nope
      weight: "ninety"
`;
    const { resources, unparsed } = loadYaml(bad, { file: 'r.yaml' });
    expect(resources).toHaveLength(0);
    expect(validateResources([], { unparsed }).map((d) => `${d.line}:${d.column} ${d.code} ${d.path ?? ''}`)).toEqual(['8:7 E_SCHEMA spec.models[0].weight']);

    const [route] = loadResources(bad.replace('"ninety"', '90'), { file: 'r.yaml' });
    if (!route) throw new Error('no route');
    const withError = { ...route, issues: [{ severity: 'error' as const, code: 'E_SCHEMA' as const, message: 'rendered value is wrong', path: ['spec', 'models', 0, 'weight'] }] };
    expect(validateResources([withError]).map((d) => d.code)).toEqual(['E_SCHEMA']);
    expect(validateResources([route]).map((d) => d.code).sort()).toEqual(['E_REF_NOT_FOUND', 'E_WEIGHTS_SUM']);
  });

  it('reports a finding of a file shared by several environments once', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec: {}\n';
    const both = [...loadResources(text, { file: 'base/svc.yaml', environment: 'dev' }), ...loadResources(text, { file: 'base/svc.yaml', environment: 'prod' })];
    expect(validateResources(both).map((d) => d.code)).toEqual(['W_PASSTHROUGH']);
  });

  it('reports a base file’s broken reference once, not once per environment it is rendered for', () => {
    const text = 'apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata:\n  name: r\nspec:\n  models: [{ name: missing }]\n';
    const envs = ['dev', 'staging', 'production'].flatMap((environment) => loadResources(text, { file: 'base/route.yaml', environment }));
    expect(validateResources(envs).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual(['base/route.yaml:6:14 E_REF_NOT_FOUND']);
  });

  it('checks Application source paths with pathExists', () => {
    const text = 'apiVersion: ployd.ai/v1\nkind: Application\nmetadata:\n  name: a\nspec:\n  source:\n    path: apps/a\n';
    const resources = loadResources(text);
    expect(validateResources(resources, { pathExists: (p) => p === 'apps/a' })).toEqual([]);
    expect(validateResources(resources, { pathExists: () => false }).map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['7:5 E_FILE_NOT_FOUND']);
  });
});
