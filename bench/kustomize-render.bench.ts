// Renders 1,000 apps × 3 overlays over a 10-resource base from an in-memory tree and prints the time.
import { memoryRepoFs, renderKustomization } from '../src/manifests/kustomize/index.ts';

const files: Record<string, string> = {};
const APPS = Number(process.argv[2] ?? 1000);
for (let a = 0; a < APPS; a++) {
  const base = `apps/app${a}/base`;
  const docs: string[] = [];
  for (let i = 0; i < 8; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: d${i}
  labels:
    app: d${i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: d${i}
  template:
    metadata:
      labels:
        app: d${i}
    spec:
      containers:
      - name: main
        image: vllm/vllm-openai:v0.5-a${a}
        env:
        - name: A
          value: "1"
        envFrom:
        - configMapRef:
            name: cfg
`);
  }
  docs.push('apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  selector:\n    app: d0\n  ports:\n  - port: 80\n');
  files[`${base}/r.yaml`] = docs.join('---\n');
  files[`${base}/kustomization.yaml`] = 'resources:\n- r.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - a=1\n';
  for (const env of ['dev', 'staging', 'prod']) {
    files[`apps/app${a}/overlays/${env}/kustomization.yaml`] = `namespace: ${env}
namePrefix: ${env}-
resources:
- ../../base
commonLabels:
  env: ${env}
images:
- name: vllm/vllm-openai
  newTag: v0.6
replicas:
- name: d0
  count: 3
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/args
      value: ["--x"]
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: d1
    spec:
      template:
        spec:
          containers:
          - name: main
            env:
            - name: B
              value: "2"
`;
  }
}
const fs = memoryRepoFs(files);
const t0 = performance.now();
let n = 0;
for (let a = 0; a < APPS; a++) {
  for (const env of ['dev', 'staging', 'prod']) {
    const r = renderKustomization(fs, `apps/app${a}/overlays/${env}`);
    if (r.diagnostics.length) throw new Error(JSON.stringify(r.diagnostics));
    n += r.resources.length;
  }
}
console.log(`${APPS * 3} renders, ${n} resources in ${(performance.now() - t0).toFixed(0)} ms`);
