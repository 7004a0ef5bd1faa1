// Validation bench: 1,000 applications × 10 resources (10,000 resources, one file per app) plus
// seed 001's two policies, validated end to end (schema findings, semantics, CEL policies, .rego
// check, secret scan). Prints the median of 5 runs and the time per 1,000 resources, next to a
// baseline measured in the same run: parseResource over the same manifests (the schema pass the
// loader makes anyway). Run: npx tsx bench/validation/validate.ts [apps]
import { parseResource } from '../../src/resources/index.ts';
import {
  ResourceIndex,
  checkPolicies,
  checkSemantics,
  POD_SECURITY_POLICIES,
  scanSecrets,
  validateResources,
  type ValidationInput,
} from '../../src/validation/index.ts';
import { loadResources } from '../../src/validation/testing.ts';

const APPS = Number(process.argv[2] ?? 1000);
const RUNS = 5;

function appFile(i: number): string {
  const a = `app-${i}`;
  return `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: ${a}-v1
spec:
  model:
    framework: vllm
    path: s3://models/${a}/v1
    vllm: { tensor_parallel_size: 2 }
  replicas: 2
  resources: { gpu: { count: 2 } }
  scaling: { minReplicas: 1, maxReplicas: 4 }
---
apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: ${a}-v2
spec:
  model: { framework: vllm, path: "s3://models/${a}/v2" }
  scaling: { minReplicas: 1, maxReplicas: 2 }
---
apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: ${a}-route
spec:
  path: /v1
  models:
    - { name: ${a}-v1, weight: 90 }
    - { name: ${a}-v2, weight: 10, fallback: true }
---
apiVersion: ployd.ai/v1
kind: CanaryDeployment
metadata:
  name: ${a}-canary
spec:
  stable: { model: ${a}-v1 }
  canary: { model: ${a}-v2 }
  route: ${a}-route
  traffic: { canaryWeight: 10, maxWeight: 100, stepWeight: 10, interval: 5m }
---
apiVersion: ployd.ai/v1
kind: ModelRollout
metadata:
  name: ${a}-rollout
spec:
  phases:
    - name: deploy
      deploy: { model: ${a}-v1 }
    - name: validate
      validate: { model: ${a}-v1 }
    - name: route
      when: "phases['validate'].result == 'success'"
      route: { name: ${a}-route }
---
apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${a}
spec:
  source: { path: apps/${a} }
  environment: production
---
apiVersion: v1
kind: Service
metadata:
  name: ${a}-svc
spec:
  ports: [{ port: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${a}-web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/org/web@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          env:
            - name: OPENAI_API_KEY
              valueFrom: { secretKeyRef: { name: openai, key: token } }
          securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${a}-config
data:
  max_tokens: "2048"
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${a}-pdb
spec:
  minAvailable: 1
`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** CPU milliseconds the process spent (user + system): steadier than wall time on a shared machine. */
function cpu(fn: () => unknown): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

const files = Array.from({ length: APPS }, (_, i) => ({ path: `apps/app-${i}/resources.yaml`, text: appFile(i) }));
const resources: ValidationInput[] = [
  ...loadResources(POD_SECURITY_POLICIES, { file: 'policies/pod-security.yaml', environment: 'production' }),
  ...files.flatMap((f) => loadResources(f.text, { file: f.path, environment: 'production' })),
];
const paths = new Set(files.map((f) => f.path.replace(/\/resources\.yaml$/, '')));
const options = { environment: 'production', files, pathExists: (p: string) => paths.has(p) };
const n = resources.length;

// Sanity: the generated repo is clean apart from the passthrough notes, so the bench measures
// the normal path, not diagnostic formatting.
const found = validateResources(resources, options);
const unexpected = found.filter((d) => d.code !== 'W_PASSTHROUGH');
if (unexpected.length > 0) throw new Error(`bench repo is not clean: ${unexpected[0]?.code} ${unexpected[0]?.message}`);

const manifests = resources.map((r) => r.parsed.original ?? r.parsed.manifest);
const baseline: number[] = [];
const total: number[] = [];
const totalCpu: number[] = [];
const semantics: number[] = [];
const policies: number[] = [];
const secrets: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(time(() => manifests.forEach((m) => parseResource(m))));
  total.push(time(() => validateResources(resources, options)));
  totalCpu.push(cpu(() => validateResources(resources, options)));
  semantics.push(time(() => checkSemantics(resources, new ResourceIndex(resources, options), options)));
  policies.push(time(() => checkPolicies(resources, options)));
  secrets.push(time(() => scanSecrets(files)));
}
const per1k = (ms: number) => (ms * 1000) / n;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`validation bench: ${n} resources (${APPS} apps × 10 + 2 policies), ${files.length} files, median of ${RUNS} runs`);
console.log(`  validateResources total   ${fmt(median(total))}  (${fmt(per1k(median(total)))} per 1,000 resources)`);
console.log(`    CPU time, same work      ${fmt(median(totalCpu))}  (process CPU, measured in its own run: wall time includes waiting for a core)`);
console.log(`    semantics               ${fmt(median(semantics))}`);
console.log(`    CEL policies            ${fmt(median(policies))}`);
console.log(`    secret scan             ${fmt(median(secrets))}  (${(files.reduce((s, f) => s + f.text.length, 0) / 1e6).toFixed(1)} MB of text)`);
console.log(`  baseline parseResource    ${fmt(median(baseline))}  (${fmt(per1k(median(baseline)))} per 1,000 resources)`);
console.log(`  ratio validate / parse    ${(median(total) / median(baseline)).toFixed(2)}×`);
console.log(`  target: 10,000 resources well under 2,000 ms → ${median(total) < 2000 ? 'met' : 'NOT met'}`);
