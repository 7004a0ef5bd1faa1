import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { POD_SECURITY_POLICIES, validateResources, type ValidationInput } from '../../src/validation/index.ts';
import { loadYaml } from '../../src/validation/testing.ts';

/**
 * A small clean repo (seed 001's platform: two model versions, a weighted route, a canary, a
 * rollout, an app, a project, the pod-security policies, a workload) rendered for two
 * environments. Each case changes one thing and must yield exactly one error, at the right file
 * and line: no cascades, no repeats per environment.
 */
const CLEAN: Record<string, string> = {
  'models.yaml': `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: chat-v1
spec:
  model:
    framework: vllm
    vllm:
      tensor_parallel_size: 2
  replicas: 2
  resources:
    gpu:
      count: 2
  scaling:
    minReplicas: 1
    maxReplicas: 4
---
apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: chat-v2
spec:
  model:
    framework: vllm
`,
  'route.yaml': `apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat
spec:
  models:
    - name: chat-v1
      weight: 90
    - name: chat-v2
      weight: 10
`,
  'canary.yaml': `apiVersion: ployd.ai/v1
kind: CanaryDeployment
metadata:
  name: chat-canary
spec:
  stable:
    model: chat-v1
  canary:
    model: chat-v2
  route: chat
  traffic:
    canaryWeight: 10
    maxWeight: 100
    stepWeight: 10
`,
  'rollout.yaml': `apiVersion: ployd.ai/v1
kind: ModelRollout
metadata:
  name: chat-rollout
spec:
  phases:
    - name: deploy
      deploy:
        model: chat-v2
    - name: check
      validate:
        model: chat-v2
    - name: shift
      when: "phases['check'].result == 'success'"
      route:
        name: chat
`,
  'app.yaml': `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: platform
spec:
  project: platform
  source:
    path: environments
`,
  'project.yaml': `apiVersion: ployd.ai/v1
kind: Project
metadata:
  name: platform
spec:
  roles:
    - name: sre
      policies:
        - p, proj:platform:sre, applications, *, platform/*, allow
`,
  'policies.yaml': POD_SECURITY_POLICIES,
  'workload.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: web@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          env:
            - name: API_TOKEN
              valueFrom:
                secretKeyRef: { name: api, key: token }
          securityContext:
            runAsUser: 1000
            readOnlyRootFilesystem: true
`,
};

interface Case {
  readonly name: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly expected: { code: string; line: number };
}

const CASES: Case[] = [
  { name: 'weights sum to 110', file: 'route.yaml', from: 'weight: 10', to: 'weight: 20', expected: { code: 'E_WEIGHTS_SUM', line: 6 } },
  { name: 'route backend names no model', file: 'route.yaml', from: '- name: chat-v2', to: '- name: chat-v3', expected: { code: 'E_REF_NOT_FOUND', line: 9 } },
  { name: 'canary model names no model', file: 'canary.yaml', from: 'model: chat-v2', to: 'model: chat-2', expected: { code: 'E_REF_NOT_FOUND', line: 9 } },
  { name: 'canary route names no route', file: 'canary.yaml', from: 'route: chat', to: 'route: chats', expected: { code: 'E_REF_NOT_FOUND', line: 10 } },
  { name: 'canary stepWeight over maxWeight', file: 'canary.yaml', from: 'maxWeight: 100', to: 'maxWeight: 5', expected: { code: 'E_CANARY_STEP', line: 13 } },
  { name: 'replicas over maxReplicas', file: 'models.yaml', from: 'replicas: 2', to: 'replicas: 9', expected: { code: 'E_REPLICA_BOUNDS', line: 10 } },
  { name: 'tensor parallel over GPUs', file: 'models.yaml', from: 'tensor_parallel_size: 2', to: 'tensor_parallel_size: 4', expected: { code: 'E_TENSOR_PARALLEL', line: 9 } },
  {
    name: 'duplicate model name',
    file: 'models.yaml',
    from: '  name: chat-v2\nspec:\n  model:\n    framework: vllm\n',
    to: '  name: chat-v2\nspec:\n  model:\n    framework: vllm\n---\napiVersion: ployd.ai/v1\nkind: ModelDeployment\nmetadata:\n  name: chat-v1\nspec:\n  model: {}\n',
    expected: { code: 'E_DUPLICATE_NAME', line: 29 },
  },
  { name: 'rollout cycle', file: 'rollout.yaml', from: '    - name: deploy\n', to: '    - name: deploy\n      dependsOn: [shift]\n', expected: { code: 'E_ROLLOUT_CYCLE', line: 8 } },
  { name: 'rollout when names no phase', file: 'rollout.yaml', from: "phases['check']", to: "phases['chek']", expected: { code: 'E_REF_NOT_FOUND', line: 14 } },
  { name: 'application path missing', file: 'app.yaml', from: 'path: environments', to: 'path: environmnets', expected: { code: 'E_FILE_NOT_FOUND', line: 8 } },
  { name: 'bad RBAC action', file: 'project.yaml', from: 'applications, *,', to: 'applications, deploy,', expected: { code: 'E_RBAC_POLICY', line: 9 } },
  { name: 'policy denies a root container', file: 'workload.yaml', from: 'runAsUser: 1000', to: 'runAsUser: 0', expected: { code: 'E_POLICY_DENY', line: 1 } },
  { name: 'policy expression does not compile', file: 'policies.yaml', from: 'c.securityContext.readOnlyRootFilesystem == true)', to: 'c.securityContext.readOnlyRootFilesystem == )', expected: { code: 'E_POLICY_INVALID', line: 33 } },
  { name: 'plaintext token in env', file: 'workload.yaml', from: 'valueFrom:\n                secretKeyRef: { name: api, key: token }', to: 'value: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', expected: { code: 'E_SECRET_PLAINTEXT', line: 13 } },
];

function validate(files: Record<string, string>): ReturnType<typeof validateResources> {
  const resources: ValidationInput[] = [];
  for (const environment of ['staging', 'production']) {
    for (const [file, text] of Object.entries(files)) resources.push(...loadYaml(text, { file, environment }).resources);
  }
  const repoFiles = Object.entries(files).map(([path, text]) => ({ path, text }));
  return validateResources(resources, { files: repoFiles, pathExists: (p) => p === 'environments' });
}

describe('validation of a repo with one mistake', () => {
  it('the clean repo has no errors or warnings', () => {
    expect(validate(CLEAN).filter((d) => d.severity !== 'info')).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.name}: one ${c.expected.code} at ${c.file}:${c.expected.line}`, () => {
      const original = CLEAN[c.file] ?? '';
      expect(original).toContain(c.from);
      const errors = validate({ ...CLEAN, [c.file]: original.replace(c.from, c.to) }).filter((d) => d.severity === 'error');
      expect(errors.map((e) => ({ code: e.code, file: e.file, line: e.line }))).toEqual([{ code: c.expected.code, file: c.file, line: c.expected.line }]);
    });
  }
});

/** Deterministic PRNG (mulberry32), so a failing mutation can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [0, -1, 101, 1e9, 2.5, '', 'x', 'chat-v1', null, [], {}, true, [1, 'a'], { a: { b: [] } }, 'phases["x"]', '${X}'];

/** Replaces one random leaf or subtree of a document with an odd value. */
function mutate(doc: unknown, next: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        slots.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(copy);
  const slot = slots[Math.floor(next() * slots.length)];
  const value = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
  if (slot) (slot.parent as Record<string | number, unknown>)[slot.key] = value;
  return copy;
}

describe('validation never throws on schema-valid but odd input', () => {
  it('survives 150 random mutations of the clean repo', () => {
    const next = rng(42);
    const docs = Object.entries(CLEAN).flatMap(([file, text]) => parseAllDocuments(text).map((d) => ({ file, value: d.toJS() as unknown })));
    let validated = 0;
    for (let i = 0; i < 150; i++) {
      const target = Math.floor(next() * docs.length);
      const files: Record<string, string> = {};
      docs.forEach((d, j) => {
        const value = j === target ? mutate(d.value, next) : d.value;
        files[d.file] = (files[d.file] ? `${files[d.file]}---\n` : '') + stringify(value);
      });
      const resources = Object.entries(files).flatMap(([file, text]) => loadYaml(text, { file, environment: 'production' }).resources);
      const ds = validateResources(resources, { files: Object.entries(files).map(([path, text]) => ({ path, text })), pathExists: () => true });
      for (const d of ds) {
        expect(d.file, JSON.stringify(d)).toBeTruthy();
        expect(d.line, JSON.stringify(d)).toBeGreaterThan(0);
      }
      validated++;
    }
    expect(validated).toBe(150);
  });
});
