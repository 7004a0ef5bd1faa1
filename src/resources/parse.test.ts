import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { canarySteps, desiredReplicas, effectiveRules, gpusPerReplica, parseResource, tensorParallelSize, type CanaryDeployment, type GatewayRoute, type ModelDeployment } from './index.ts';

const LLMD = `
apiVersion: inference.llm-d.io/v1alpha1
kind: LLMDeployment
metadata: { name: llama-3.1-70b, labels: { app: llama-3.1-70b } }
spec:
  model:
    name: llama-3.1-70b
    source: { modelUri: s3://model-registry/llama-3.1-70b/v1.0.0 }
    framework: pytorch
    architecture: llama-3.1
    parameters: 70000000000
    parallelism: { tensor: 8, pipeline: 1 }
  replicas: 2
  resources:
    requests: { nvidia.com/gpu: "8", memory: "256Gi", cpu: "32" }
    limits: { nvidia.com/gpu: "8", memory: "320Gi", cpu: "64" }
  serving: { protocol: http, port: 8080, batchSize: 1, maxSequenceLength: 8192 }
  autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4, targetGPUUtilization: 80 }
  monitoring: { enabled: true, serviceMonitor: { enabled: true, interval: 30s } }
  nodeSelector: { gpu-type: "h100" }
  tolerations: [{ key: "enterprise-workload", operator: "Equal", value: "true", effect: "NoSchedule" }]
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }
`;

describe('parseResource', () => {
  it('converts an llm-d LLMDeployment to a ModelDeployment field by field', () => {
    const { parsed, issues } = parseResource(parse(LLMD));
    expect(issues).toEqual([]);
    const md = parsed?.resource as ModelDeployment;
    expect(md.kind).toBe('ModelDeployment');
    expect(md.spec.model.path).toBe('s3://model-registry/llama-3.1-70b/v1.0.0');
    expect(md.spec.model.framework).toBe('vllm');
    expect(md.spec.model.format).toBe('pytorch');
    expect(md.spec.model.parameterCount).toBe(70_000_000_000);
    expect(tensorParallelSize(md)).toBe(8);
    expect(gpusPerReplica(md)).toBe(8);
    expect(md.spec.resources?.memory?.requests).toBe(256 * 2 ** 30);
    expect(md.spec.resources?.cpu?.limits).toBe(64);
    expect(md.spec.scaling).toMatchObject({ enabled: true, minReplicas: 2, maxReplicas: 4, targetGPUUtilization: 80 });
    expect(md.spec.serving).toMatchObject({ port: 8080, batchSize: 1, maxSequenceLength: 8192 });
    expect(md.spec.monitoring?.serviceMonitor?.interval).toBe(30_000);
    expect(md.spec.nodeSelector).toEqual({ 'gpu-type': 'h100' });
    expect(md.spec.tolerations?.[0]).toMatchObject({ key: 'enterprise-workload', effect: 'NoSchedule' });
    expect(md.spec.affinity).toHaveProperty('nodeAffinity');
    expect(desiredReplicas(md)).toBe(2);
    expect(parsed?.original).toBeDefined();
    expect(parsed?.manifest.kind).toBe('ModelDeployment');
  });

  it('warns about unknown fields with a suggestion', () => {
    const { parsed, issues } = parseResource({
      apiVersion: 'ployd.ai/v1',
      kind: 'ModelDeployment',
      metadata: { name: 'm' },
      spec: { model: { framework: 'vllm' }, scaling: { minReplica: 1, maxReplicas: 2 } },
    });
    expect(parsed).toBeDefined();
    expect(issues).toEqual([
      { severity: 'warning', code: 'W_UNKNOWN_FIELD', message: 'unknown field minReplica', path: ['spec', 'scaling', 'minReplica'], suggestion: 'did you mean minReplicas?' },
    ]);
  });

  it('reports wrong types, bad durations and missing fields with their paths', () => {
    const { parsed, issues } = parseResource({
      apiVersion: 'ployd.ai/v1',
      kind: 'GatewayRoute',
      metadata: { name: 'r' },
      spec: { models: [{ name: 'a', weight: '90' }, { weight: 10 }], routing: { timeout: '3x' } },
    });
    expect(parsed).toBeUndefined();
    expect(issues.map((i) => [i.code, i.path.join('.')])).toEqual(
      expect.arrayContaining([
        ['E_SCHEMA', 'spec.models.0.weight'],
        ['E_MISSING_FIELD', 'spec.models.1.name'],
        ['E_BAD_QUANTITY', 'spec.routing.timeout'],
      ]),
    );
  });

  it('rejects unknown kinds and apiVersions with suggestions', () => {
    expect(parseResource({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeploymnt', metadata: { name: 'a' } }).issues[0]).toMatchObject({
      code: 'E_UNKNOWN_KIND',
      suggestion: 'did you mean ModelDeployment?',
    });
    expect(parseResource({ apiVersion: 'ployd.ai/v2', kind: 'ModelDeployment', metadata: { name: 'a' } }).issues[0]).toMatchObject({
      code: 'E_UNKNOWN_KIND',
      path: ['apiVersion'],
      suggestion: 'use apiVersion ployd.ai/v1',
    });
    expect(parseResource('text').issues[0]?.code).toBe('E_NOT_AN_OBJECT');
    expect(parseResource({ kind: 'Service' }).issues[0]?.code).toBe('E_MISSING_FIELD');
  });

  it('passes plain Kubernetes kinds through', () => {
    const { parsed, issues } = parseResource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { anything: 1 } });
    expect(issues).toEqual([]);
    expect(parsed?.passthrough).toBe(true);
  });

  it('converts Argo CD Applications with seed 000 extensions', () => {
    const { parsed, issues } = parseResource({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'llama-3.1-13b-scaleup', annotations: { 'argocd.argoproj.io/sync-wave': '2' } },
      spec: {
        project: 'llm-models',
        source: { repoURL: 'https://example/repo', targetRevision: 'main', path: 'applications/x/overlays/production' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'production' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'PruneLast=true'] },
        dependencies: [{ name: 'llama-3.1-8b-foundation', conditions: [{ status: 'Healthy' }] }],
        preSync: [{ name: 'validate-resources', hook: 'PreSync', hookDeletePolicy: 'HookSucceeded', manifest: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: v\n' }],
      },
    });
    expect(issues).toEqual([]);
    const spec = (parsed?.resource as { spec: Record<string, unknown> }).spec;
    expect(spec.environment).toBe('production');
    expect(spec.syncPolicy).toMatchObject({ automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'PruneLast=true'] });
    expect(spec.dependsOn).toEqual([{ name: 'llama-3.1-8b-foundation', conditions: [{ status: 'Healthy' }] }]);
    expect(spec.hooks).toMatchObject([{ name: 'validate-resources', phase: 'PreSync', job: { kind: 'Job' } }]);
  });

  it('expands route shorthand and canary steps', () => {
    const route = parseResource({
      apiVersion: 'ployd.ai/v1',
      kind: 'GatewayRoute',
      metadata: { name: 'r' },
      spec: { models: [{ name: 'a', weight: 90 }, { name: 'b', weight: 10, fallback: true }] },
    }).parsed?.resource as GatewayRoute;
    expect(effectiveRules(route)).toHaveLength(1);
    expect(route.spec.routing.strategy).toBe('weighted_round_robin');
    const canary = parseResource({
      apiVersion: 'ployd.ai/v1',
      kind: 'CanaryDeployment',
      metadata: { name: 'c' },
      spec: { stable: { model: 'a' }, canary: { model: 'b' }, traffic: { canaryWeight: 10, stepWeight: 30, maxWeight: 100 } },
    }).parsed?.resource as CanaryDeployment;
    expect(canarySteps(canary.spec.traffic)).toEqual([10, 40, 70, 100]);
    expect(canary.spec.traffic.interval).toBe(300_000);
  });
});
