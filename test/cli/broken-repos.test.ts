import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const ENV = 'apiVersion: ployd.ai/v1\nkind: Environment\nmetadata:\n  name: dev\n';
const MODEL = 'apiVersion: ployd.ai/v1\nkind: ModelDeployment\nmetadata:\n  name: m\nspec:\n  model:\n    framework: vllm\n';
const KUST = (resources: string[]): string => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `- ${r}`).join('\n')}\n`;

interface Case {
  readonly name: string;
  readonly files: Record<string, string | Buffer>;
  readonly setup?: (root: string) => void;
  readonly expected: { code: string; file: string; line: number };
}

/** One mistake per repo; each must yield exactly one error, at the right file and line. */
const CASES: Case[] = [
  { name: 'malformed YAML', files: { 'environments/dev/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n' }, expected: { code: 'E_YAML_SYNTAX', file: 'environments/dev/a.yaml', line: 3 } },
  { name: 'tabs', files: { 'environments/dev/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n' }, expected: { code: 'E_YAML_TAB', file: 'environments/dev/a.yaml', line: 4 } },
  { name: 'duplicate keys', files: { 'environments/dev/a.yaml': MODEL + '  replicas: 1\n  replicas: 2\n' }, expected: { code: 'E_YAML_DUPLICATE_KEY', file: 'environments/dev/a.yaml', line: 9 } },
  { name: 'unknown kind', files: { 'environments/dev/a.yaml': 'apiVersion: ployd.ai/v1\nkind: ModelDeploymen\nmetadata:\n  name: x\n' }, expected: { code: 'E_UNKNOWN_KIND', file: 'environments/dev/a.yaml', line: 2 } },
  { name: 'unknown apiVersion', files: { 'environments/dev/a.yaml': 'apiVersion: ployd.ai/v9\nkind: ModelDeployment\nmetadata:\n  name: x\n' }, expected: { code: 'E_UNKNOWN_KIND', file: 'environments/dev/a.yaml', line: 1 } },
  { name: 'wrong type', files: { 'environments/dev/a.yaml': MODEL + '  replicas: three\n' }, expected: { code: 'E_SCHEMA', file: 'environments/dev/a.yaml', line: 8 } },
  { name: 'bad quantity', files: { 'environments/dev/a.yaml': MODEL + '  resources:\n    memory:\n      requests: 16GB\n' }, expected: { code: 'E_BAD_QUANTITY', file: 'environments/dev/a.yaml', line: 10 } },
  {
    name: 'missing kustomization resource',
    files: { 'environments/dev/kustomization.yaml': KUST(['env.yaml', 'missing.yaml']), 'environments/dev/env.yaml': ENV },
    expected: { code: 'E_FILE_NOT_FOUND', file: 'environments/dev/kustomization.yaml', line: 5 },
  },
  {
    name: 'kustomizations that include each other',
    files: { 'environments/dev/kustomization.yaml': KUST(['../../base']), 'base/kustomization.yaml': KUST(['../environments/dev']) },
    expected: { code: 'E_KUSTOMIZE_CYCLE', file: 'environments/dev/kustomization.yaml', line: 4 },
  },
  {
    name: 'resource path leaving the repo',
    files: { 'environments/dev/kustomization.yaml': KUST(['../../../outside.yaml']) },
    expected: { code: 'E_PATH_ESCAPE', file: 'environments/dev/kustomization.yaml', line: 4 },
  },
  {
    name: 'symlink leaving the repo',
    files: { 'environments/dev/env.yaml': ENV },
    setup: (root) => symlinkSync('/etc/hostname', join(root, 'environments/dev/link.yaml')),
    expected: { code: 'E_PATH_ESCAPE', file: 'environments/dev/link.yaml', line: 1 },
  },
  { name: 'file over 10 MB', files: { 'environments/dev/big.yaml': `# ${'x'.repeat(10 * 1024 * 1024 + 10)}\n` }, expected: { code: 'E_FILE_TOO_LARGE', file: 'environments/dev/big.yaml', line: 1 } },
  { name: 'binary file', files: { 'environments/dev/bin.yaml': Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]) }, expected: { code: 'E_BINARY_FILE', file: 'environments/dev/bin.yaml', line: 1 } },
  { name: 'empty file', files: { 'environments/dev/empty.yaml': '' }, expected: { code: 'E_EMPTY_FILE', file: 'environments/dev/empty.yaml', line: 1 } },
  { name: 'missing required field', files: { 'environments/dev/a.yaml': 'apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata:\n  name: r\nspec:\n  models:\n  - weight: 100\n' }, expected: { code: 'E_MISSING_FIELD', file: 'environments/dev/a.yaml', line: 7 } },
  { name: 'rego policy', files: { 'shared/policy.rego': 'package kubernetes.admission\n' }, expected: { code: 'E_REGO_UNSUPPORTED', file: 'shared/policy.rego', line: 1 } },
];

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function makeRepo(c: Case): string {
  const root = mkdtempSync(join(tmpdir(), 'ployd-broken-'));
  roots.push(root);
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'environments/dev'), { recursive: true });
  for (const [path, content] of Object.entries(c.files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  c.setup?.(repo);
  return repo;
}

describe('ployd validate on broken repos', () => {
  for (const c of CASES) {
    it(`${c.name}: one ${c.expected.code} at ${c.expected.file}:${c.expected.line}`, async () => {
      const repo = makeRepo(c);
      const { code, stdout, stderr } = await runCli(['validate', repo, '--output', 'json']);
      expect(stderr).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
      expect(code).toBe(1);
      const report = JSON.parse(stdout) as { diagnostics: { severity: string; code: string; file: string; line: number }[] };
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((e) => ({ code: e.code, file: e.file, line: e.line }))).toEqual([c.expected]);
    });
  }

  it('exits 2 for a folder that does not exist, naming it', async () => {
    const { code, stderr } = await runCli(['validate', '/nonexistent/ployd-repo']);
    expect(code).toBe(2);
    expect(stderr).toContain('E_REPO_NOT_FOUND');
  });

  it('exits 2 for bad usage', async () => {
    const { code } = await runCli(['validate', '.', '--output', 'xml']);
    expect(code).toBe(2);
  });
});
