import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverEnvironments, loadRepo, memoryRepoFs, nodeRepoFs, scanRepo } from '../../src/manifests/index.ts';
import { desiredReplicas, resourceId, type ModelDeployment } from '../../src/resources/index.ts';

const examples = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

function load(name: string, environment?: string) {
  const fs = nodeRepoFs(examples(name));
  const scan = scanRepo(fs);
  return { scan, envs: discoverEnvironments(fs, scan), ...loadRepo(fs, scan, environment !== undefined ? { environment } : {}) };
}

describe('loadRepo', () => {
  it('loads the quickstart per environment, overlays applied', () => {
    const dev = load('quickstart', 'dev');
    expect(dev.envs).toEqual(['dev', 'production', 'staging']);
    expect(dev.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ids = dev.resources.map((r) => resourceId(r.parsed.resource)).sort();
    expect(ids).toEqual([
      'Application/-/quickstart-dev',
      'Environment/-/dev',
      'GatewayRoute/-/chat',
      'ModelDeployment/-/chat-v1',
      'ModelDeployment/-/chat-v2',
      'Policy/-/routes-require-auth',
      'Project/-/quickstart',
    ]);
    const v1 = dev.resources.find((r) => r.parsed.resource.metadata.name === 'chat-v1');
    expect(desiredReplicas(v1?.parsed.resource as ModelDeployment)).toBe(1);
    expect(v1?.environment).toBe('dev');
    // Positions point into the base file as written.
    expect(v1?.file).toBe('base/models.yaml');
    expect(v1?.locate(['spec', 'model', 'framework']).line).toBe(14);
    const prod = load('quickstart', 'production');
    const v1p = prod.resources.find((r) => r.parsed.resource.metadata.name === 'chat-v1');
    expect(desiredReplicas(v1p?.parsed.resource as ModelDeployment)).toBe(3);
  });

  it('reads seed 000 layout: llm-d overlays, Argo CD applications and projects', () => {
    const prod = load('llm-gitops-config', 'production');
    expect(prod.envs).toEqual(['development', 'production', 'staging']);
    expect(prod.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const models = prod.resources.filter((r) => r.parsed.resource.kind === 'ModelDeployment');
    expect(models.map((m) => m.parsed.resource.metadata.name).sort()).toEqual(['llama-3.1-13b', 'llama-3.1-70b', 'llama-3.1-8b']);
    const m8 = models.find((m) => m.parsed.resource.metadata.name === 'llama-3.1-8b')?.parsed.resource as ModelDeployment;
    expect(m8.metadata.namespace).toBe('production');
    expect(m8.spec.replicas).toBe(5);
    expect(m8.spec.scaling?.maxReplicas).toBe(20);
    expect(m8.spec.tolerations).toHaveLength(1);
    const apps = prod.resources.filter((r) => r.parsed.resource.kind === 'Application').map((r) => r.parsed.resource.metadata.name);
    expect(apps.sort()).toEqual(['llama-3.1-13b-scaleup', 'llama-3.1-70b-enterprise', 'llama-3.1-8b-foundation']);
    expect(prod.resources.some((r) => r.parsed.resource.kind === 'Project')).toBe(true);
    const dev = load('llm-gitops-config', 'development');
    const devModel = dev.resources.find((r) => r.parsed.resource.kind === 'ModelDeployment')?.parsed.resource as ModelDeployment;
    expect(devModel.spec.replicas).toBe(1);
    expect(devModel.spec.nodeSelector?.['gpu-type']).toBe('t4');
  });

  it('reads seed 001 layout: environments/, shared/, clusters/', () => {
    const staging = load('ployd-platform-config', 'staging');
    expect(staging.envs).toEqual(['dev', 'production', 'staging']);
    expect(staging.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const kinds = staging.resources.map((r) => r.parsed.resource.kind);
    expect(kinds).toContain('CanaryDeployment');
    expect(kinds.filter((k) => k === 'Policy').length).toBeGreaterThanOrEqual(3); // two shared + staging's own
    expect(staging.resources.every((r) => !r.file.startsWith('environments/dev/'))).toBe(true);
  });

  it('reports bad YAML with file, line and code, and loads the rest', () => {
    const fs = memoryRepoFs({
      'environments/dev/ok.yaml': 'apiVersion: ployd.ai/v1\nkind: Environment\nmetadata:\n  name: dev\n',
      'environments/dev/dup.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n',
      'environments/dev/tabs.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n',
      'environments/dev/empty.yaml': '',
      'environments/dev/type.yaml': 'apiVersion: ployd.ai/v1\nkind: ModelDeployment\nmetadata:\n  name: m\nspec:\n  model:\n    framework: vllm\n  replicas: two\n',
    });
    const r = loadRepo(fs, scanRepo(fs), { environment: 'dev' });
    const found = r.diagnostics.map((d) => `${d.file}:${d.line}:${d.code}`).sort();
    expect(found).toEqual([
      'environments/dev/dup.yaml:5:E_YAML_DUPLICATE_KEY',
      'environments/dev/empty.yaml:1:E_EMPTY_FILE',
      'environments/dev/tabs.yaml:4:E_YAML_TAB',
      'environments/dev/type.yaml:8:E_SCHEMA',
    ]);
    expect(r.resources.map((x) => x.parsed.resource.kind)).toEqual(['Environment']);
  });
});
