// The bench's config repo: N applications × 10 resources (4 ModelDeployments, 2 GatewayRoutes, a
// CanaryDeployment, a CEL Policy, a Service, a ConfigMap), each a kustomize base with three overlays.
//
//   node --import tsx bench/render/generate.ts DIR [--apps 1000]   (writes the repo, for profiling)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const ENVS = ['dev', 'staging', 'production'] as const;

export function generateRepo(root: string, APPS: number): void {
  for (let a = 0; a < APPS; a++) {
    const app = `app-${a}`;
    const base = join(root, 'applications', app, 'base');
    mkdirSync(base, { recursive: true });
    const files: string[] = [];
    // 10 resources: 4 models, 2 routes, 1 canary, 1 policy, 1 Service, 1 ConfigMap.
    for (let m = 0; m < 4; m++) {
      const f = `model-${m}.yaml`;
      files.push(f);
      writeFileSync(
        join(base, f),
        `apiVersion: ployd.ai/v1\nkind: ModelDeployment\nmetadata:\n  name: ${app}-m${m}\n  labels:\n    app: ${app}\nspec:\n  model:\n    framework: vllm\n    path: s3://models/${app}-m${m}\n    vllm:\n      tensor_parallel_size: 1\n      max_model_len: 4096\n  resources:\n    gpu:\n      count: 1\n    memory:\n      requests: 16Gi\n  scaling:\n    minReplicas: 1\n    maxReplicas: 4\n`,
      );
    }
    for (let r = 0; r < 2; r++) {
      const f = `route-${r}.yaml`;
      files.push(f);
      writeFileSync(
        join(base, f),
        `apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata:\n  name: ${app}-r${r}\nspec:\n  path: /${app}/r${r}\n  models:\n  - name: ${app}-m${r * 2}\n    weight: 90\n  - name: ${app}-m${r * 2 + 1}\n    weight: 10\n    fallback: true\n  authentication:\n    required: true\n`,
      );
    }
    files.push('canary.yaml', 'policy.yaml', 'service.yaml', 'config.yaml');
    writeFileSync(
      join(base, 'canary.yaml'),
      `apiVersion: ployd.ai/v1\nkind: CanaryDeployment\nmetadata:\n  name: ${app}-canary\nspec:\n  stable:\n    model: ${app}-m0\n  canary:\n    model: ${app}-m1\n  route: ${app}-r0\n  traffic:\n    stepWeight: 10\n    interval: 5m\n  analysis:\n    metrics:\n    - name: success_rate\n      threshold: 99\n`,
    );
    writeFileSync(
      join(base, 'policy.yaml'),
      `apiVersion: ployd.ai/v1\nkind: Policy\nmetadata:\n  name: ${app}-max-replicas\nspec:\n  match:\n    kinds: [ModelDeployment]\n    names: [${app}-m0]\n  validations:\n  - expression: "!has(object.spec.scaling) || object.spec.scaling.maxReplicas <= 10"\n    message: at most 10 replicas\n`,
    );
    writeFileSync(join(base, 'service.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}-svc\nspec:\n  selector:\n    app: ${app}\n  ports:\n  - port: 80\n`);
    writeFileSync(join(base, 'config.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\ndata:\n  owner: team-${a % 17}\n`);
    writeFileSync(join(base, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${files.map((f) => `- ${f}`).join('\n')}\n`);
    for (const env of ENVS) {
      const dir = join(root, 'applications', app, 'overlays', env);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${env}\nresources:\n- ../../base\ncommonLabels:\n  env: ${env}\npatches:\n- target:\n    kind: ModelDeployment\n    name: ${app}-m0\n  patch: |-\n    - op: replace\n      path: /spec/scaling/maxReplicas\n      value: ${env === 'production' ? 8 : 2}\n`,
      );
    }
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { values, positionals } = parseArgs({ options: { apps: { type: 'string', default: '1000' } }, allowPositionals: true });
  const dir = positionals[0];
  if (dir === undefined) throw new Error('usage: generate.ts DIR [--apps N]');
  generateRepo(dir, Number(values.apps));
}
