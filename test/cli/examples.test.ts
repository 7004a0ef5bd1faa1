import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const EXAMPLES: Record<string, string[]> = {
  quickstart: ['dev', 'staging', 'production'],
  'llm-gitops-config': ['development', 'staging', 'production'],
  'ployd-platform-config': ['dev', 'staging', 'production'],
};

const tmp = mkdtempSync(join(tmpdir(), 'ployd-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('examples validate clean in every environment', () => {
  for (const [example, envs] of Object.entries(EXAMPLES)) {
    for (const env of envs) {
      it(`${example} --env ${env}`, async () => {
        const { code, stdout } = await runCli(['validate', `examples/${example}`, '--env', env, '--output', 'json']);
        const report = JSON.parse(stdout) as { errors: number; warnings: number; resources: number };
        expect(report).toMatchObject({ errors: 0, warnings: 0 });
        expect(report.resources).toBeGreaterThan(3);
        expect(code).toBe(0);
      });
    }
  }
});

describe('ployd render', () => {
  it('prints converted kinds as ployd kinds, or as written with --keep-original', async () => {
    const converted = await runCli(['render', 'examples/llm-gitops-config', '--env', 'development']);
    expect(converted.code).toBe(0);
    const docs = parseAllDocuments(converted.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { replicas?: number } });
    const model = docs.find((d) => d.kind === 'ModelDeployment');
    expect(model?.metadata.name).toBe('llama-3.1-8b');
    expect(model?.spec?.replicas).toBe(1);
    const original = await runCli(['render', 'examples/llm-gitops-config', '--env', 'development', '--keep-original', '--output', 'json']);
    const kinds = (JSON.parse(original.stdout) as { kind: string }[]).map((d) => d.kind);
    expect(kinds).toContain('LLMDeployment');
    expect(kinds).not.toContain('ModelDeployment');
  });

  it('renders the Kubernetes target for seed 000 production', async () => {
    const { code, stdout } = await runCli(['render', 'examples/llm-gitops-config', '--env', 'production', '--target', 'kubernetes', '--output', 'json']);
    expect(code).toBe(0);
    const objects = JSON.parse(stdout) as { kind: string; metadata: { name: string; namespace?: string } }[];
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort();
    expect(deployments).toEqual(['llama-3-1-13b', 'llama-3-1-70b', 'llama-3-1-8b']);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toHaveLength(3);
    expect(objects.every((o) => o.metadata.namespace === undefined || o.metadata.namespace === 'production')).toBe(true);
  });

  it('refuses to render a repo with errors (exit 1) and needs --env (exit 2)', async () => {
    expect((await runCli(['render', 'examples/quickstart'])).code).toBe(2);
    expect((await runCli(['render', '/nonexistent', '--env', 'dev'])).code).toBe(2);
  });
});

describe('ployd init and schema', () => {
  it('scaffolds a repo that validates clean, with a canary, and refuses a non-empty folder', async () => {
    const dir = join(tmp, 'my-config');
    const init = await runCli(['init', dir]);
    expect(init.code).toBe(0);
    const v = await runCli(['validate', dir, '--output', 'json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ errors: 0, warnings: 0 });
    const staging = await runCli(['render', dir, '--env', 'staging', '--output', 'json']);
    expect((JSON.parse(staging.stdout) as { kind: string }[]).map((d) => d.kind)).toContain('CanaryDeployment');
    expect((await runCli(['init', dir])).code).toBe(2);
  });

  it('prints a kind\'s JSON Schema and suggests on typos', async () => {
    const { code, stdout } = await runCli(['schema', 'GatewayRoute']);
    expect(code).toBe(0);
    expect((parse(stdout) as { title: string }).title).toBe('ployd.ai/v1 GatewayRoute');
    const bad = await runCli(['schema', 'GatewayRout']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('did you mean GatewayRoute?');
  });
});
