// Differential fuzz: random base/overlay/component stacks rendered by PloyD and kubectl kustomize.
// Usage: npx tsx scripts/kustomize-fuzz.ts SEED COUNT (needs kubectl on PATH).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { nodeRepoFs, renderKustomization, toYamlStream } from '../src/manifests/kustomize/index.ts';

let seed = Number(process.argv[2] ?? 1);
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)] as T;
const maybe = (p = 0.5): boolean => rnd() < p;

const deployment = (name: string): Record<string, unknown> & { kind: string; metadata: object } => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: {
    containers: [{ name: 'main', image: pick(['nginx:1.25', 'vllm/vllm-openai:v0.5', 'busybox']), env: [{ name: 'A', value: '1' }],
      envFrom: [{ configMapRef: { name: 'cfg' } }], ports: [{ containerPort: 8080 }] }],
    volumes: [{ name: 'v', configMap: { name: 'cfg' } }, { name: 's', secret: { secretName: 'sec' } }] } } },
});
const sts = (name: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name }, spec: { serviceName: 'svc', selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'redis:7' }] } } } });
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } };
const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1' }] } } } } } };
const llm = { apiVersion: 'inference.llm-d.io/v1alpha1', kind: 'LLMDeployment', metadata: { name: 'llama', labels: { app: 'llama' } }, spec: { replicas: 2, model: { name: 'x' }, nodeSelector: { gpu: 'a100' }, tolerations: [{ key: 'a' }] } };
const rbac = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'], verbs: ['get'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'default' }, { kind: 'ServiceAccount', name: 'default' }] },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ing' }, spec: { tls: [{ secretName: 'sec' }], rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }] } },
];
const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 } };

function overlay(level: number): Record<string, unknown> {
  const k: Record<string, unknown> = {};
  if (maybe(0.4)) k['namespace'] = pick(['dev', 'prod', 'staging']);
  if (maybe(0.4)) k['namePrefix'] = pick(['p-', 'team-', `l${level}-`]);
  if (maybe(0.3)) k['nameSuffix'] = pick(['-s', '-v2']);
  if (maybe(0.3)) k['commonLabels'] = { env: pick(['a', 'b']), [`lvl${level}`]: 'x' };
  if (maybe(0.3)) k['labels'] = [{ pairs: { team: 'ml' }, includeSelectors: maybe(), includeTemplates: maybe() }];
  if (maybe(0.3)) k['commonAnnotations'] = { note: pick(['hello', 'a: b', 'on-call', '42x']) };
  if (maybe(0.3)) k['images'] = [{ name: pick(['nginx', 'busybox', 'redis', 'vllm/vllm-openai']), ...(maybe() ? { newTag: 'v9' } : {}), ...(maybe() ? { newName: 'reg.io/img' } : {}), ...(maybe(0.3) ? { digest: 'sha256:abcd' } : {}) }];
  if (maybe(0.2)) k['generatorOptions'] = { labels: { gen: 'g' }, ...(maybe() ? { disableNameSuffixHash: true } : {}) };
  if (maybe(0.3)) k['replicas'] = [{ name: 'web', count: Math.floor(rnd() * 5) }];
  const patches: unknown[] = [];
  if (maybe(0.4)) patches.push({ target: { kind: 'Deployment' }, patch: stringify([{ op: 'add', path: '/spec/template/spec/containers/0/args', value: ['--x'] }]) });
  if (maybe(0.4)) patches.push({ target: { kind: 'LLMDeployment', name: 'llama' }, patch: stringify([{ op: 'replace', path: '/spec/replicas', value: 5 }, { op: 'add', path: '/spec/nodeSelector/zone', value: 'z' }]) });
  if (maybe(0.4)) patches.push({ ...(maybe() ? { target: { kind: 'Deployment', name: 'web' } } : {}), patch: stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: pick(['main', 'side']), image: 'side:1', env: [{ name: 'B', value: '2' }] }] } } } }) });
  if (maybe(0.3)) patches.push({ target: { labelSelector: 'app=llama' }, patch: stringify({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' }, spec: { tolerations: [{ key: 'b' }], extra: { a: 1 } } }) });
  if (maybe(0.2)) patches.push({ target: { kind: 'Service' }, patch: stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ name: 'grpc', port: 90 }] } }) });
  if (maybe(0.2)) patches.push({ target: { kind: 'ConfigMap' }, patch: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { fromPatch: 'p' } }) });
  if (maybe(0.15)) patches.push({ target: { kind: 'CronJob' }, patch: stringify({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, $patch: 'delete' }) });
  if (maybe(0.2)) patches.push({ target: { kind: 'Deployment', name: 'web' }, patch: stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { volumes: [{ name: 'extra', emptyDir: {} }], containers: [{ name: 'main', volumeMounts: [{ name: 'extra', mountPath: '/x' }] }] } } } }) });
  if (maybe(0.2)) patches.push({ target: { annotationSelector: 'note' }, patch: stringify([{ op: 'add', path: '/metadata/labels/annotated', value: 'y' }]) });
  if (maybe(0.2)) k['patchesJson6902'] = [{ target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'web' }, patch: stringify([{ op: 'replace', path: '/spec/replicas', value: 7 }]) }];
  if (maybe(0.2)) k['patchesStrategicMerge'] = [stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { type: 'NodePort' } })];
  if (patches.length) k['patches'] = patches;
  if (maybe(0.3)) k['configMapGenerator'] = [{ name: 'cfg', behavior: 'merge', literals: [`L${level}=v`] }];
  if (maybe(0.2)) k['secretGenerator'] = [{ name: 'sec', behavior: pick(['merge', 'replace']), literals: [`s${level}=x`] }];
  return k;
}

const root = `/tmp/rand/case`;
let diffs = 0;
const n = Number(process.argv[3] ?? 30);
for (let i = 0; i < n; i++) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'base'), { recursive: true });
  const res = [deployment('web'), svc, llm, ...(maybe() ? [sts('db')] : []), ...(maybe() ? [cj] : []), ...(maybe() ? [hpa] : []), ...(maybe(0.4) ? rbac : [])];
  if (maybe(0.25)) for (const r of res) if (r.kind !== 'Namespace') (r.metadata as Record<string, unknown>)['namespace'] = 'base-ns';
  writeFileSync(join(root, 'base/r.yaml'), res.map((r) => stringify(r)).join('---\n'));
  const base: Record<string, unknown> = { resources: ['r.yaml'], configMapGenerator: [{ name: 'cfg', literals: ['a=1'], ...(maybe(0.2) ? { options: { disableNameSuffixHash: true } } : {}) }], secretGenerator: [{ name: 'sec', literals: ['p=q'] }] };
  if (maybe(0.3)) Object.assign(base, { namePrefix: 'b-' });
  writeFileSync(join(root, 'base/kustomization.yaml'), stringify(base));
  let prev = 'base';
  const depth = 1 + Math.floor(rnd() * 3);
  for (let l = 1; l <= depth; l++) {
    const dir = `o${l}`;
    mkdirSync(join(root, dir));
    const k = overlay(l);
    k['resources'] = [`../${prev}`];
    if (maybe(0.2)) {
      mkdirSync(join(root, `c${l}`));
      writeFileSync(join(root, `c${l}/kustomization.yaml`), stringify({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', ...overlay(l + 10) }));
      k['components'] = [`../c${l}`];
    }
    writeFileSync(join(root, `${dir}/kustomization.yaml`), stringify(k));
    prev = dir;
  }
  const r = renderKustomization(nodeRepoFs(root), prev);
  const ours = r.diagnostics.length ? `ERROR ${JSON.stringify(r.diagnostics)}` : toYamlStream(r.resources);
  let theirs: string;
  try {
    theirs = execFileSync('kubectl', ['kustomize', join(root, prev)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    theirs = `ERROR ${String((e as { stderr?: string }).stderr)}`;
  }
  const same = ours === theirs || (ours.startsWith('ERROR') && theirs.startsWith('ERROR'));
  if (!same) {
    diffs++;
    const keep = `/tmp/rand/fail-${process.argv[2]}-${i}`;
    rmSync(keep, { recursive: true, force: true });
    execFileSync('cp', ['-r', root, keep]);
    writeFileSync(`${keep}/ours.txt`, ours);
    writeFileSync(`${keep}/theirs.txt`, theirs);
    writeFileSync(`${keep}/entry.txt`, prev);
    console.log('DIFF', keep);
  } else if (ours.startsWith('ERROR')) console.log('both-error', i, ours.slice(0, 150), '|', theirs.slice(60, 200));
}
console.log(`${diffs} diffs of ${n}`);
