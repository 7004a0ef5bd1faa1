import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRepo } from '../../bench/render/generate.ts';
import { packagePath } from '../../src/package-root.ts';
import { chooseThreads, MIN_IDLE_CORES, PARALLEL_MIN_FILES, summarizeRepo } from '../../src/cli/validate-parallel.ts';
import { validateRepo } from '../../src/cli/repo-pipeline.ts';
import { runCli } from './run-cli.ts';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/**
 * A bench-shaped repo (kustomize bases with dev/staging/production overlays) with mistakes that
 * show up in every environment (a base file's, reported once), in one environment only, and
 * repo-wide (a secret), so merging the threads' findings has duplicates and ties to get right.
 */
function brokenRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'ployd-threads-'));
  roots.push(root);
  generateRepo(root, 6);
  const app = (n: number, path: string): string => join(root, 'applications', `app-${n}`, path);
  appendFileSync(app(0, 'base/model-0.yaml'), '  replicas: three\n'); // every environment
  writeFileSync(app(1, 'base/route-0.yaml'), readFileSync(app(1, 'base/route-0.yaml'), 'utf8').replace('app-1-m0', 'app-1-m9')); // unknown model, every environment
  const prod = app(2, 'overlays/production/kustomization.yaml');
  writeFileSync(prod, readFileSync(prod, 'utf8').replace('value: 8', 'value: 12')); // policy: production only
  const staging = app(3, 'overlays/staging/kustomization.yaml');
  writeFileSync(staging, readFileSync(staging, 'utf8').replace('- ../../base', '- ../../base\n- missing.yaml')); // staging only
  appendFileSync(app(4, 'base/config.yaml'), '  aws_key: AKIAIOSFODNN7EXAMPLE\n'); // secret
  writeFileSync(app(5, 'base/model-1.yaml'), 'apiVersion: ployd.ai/v1\nkind: ModelDeploymen\nmetadata:\n  name: x\n');
  return root;
}

const FORMATS = ['text', 'json', 'sarif'] as const;

describe('ployd validate with a worker thread', () => {
  const broken = brokenRepo();
  const repos = [
    ...['llm-gitops-config', 'ployd-platform-config', 'quickstart', 'sdk-client'].map((e) => packagePath('examples', e)),
    broken,
  ];

  for (const repo of repos) {
    it(`prints the same as one thread, byte for byte: ${repo.includes('ployd-threads-') ? 'broken bench-shaped repo' : repo}`, async () => {
      for (const output of FORMATS) {
        const one = await runCli(['validate', repo, '--output', output, '--threads', '1']);
        const two = await runCli(['validate', repo, '--output', output, '--threads', '2']);
        expect(two).toEqual(one);
      }
    });
  }

  it('merges the findings of environments the worker did in one-thread order', async () => {
    const one = await summarizeRepo(broken, undefined, { threads: 1 });
    // Every environment on the worker: its results cross the thread boundary and are merged.
    const worker = await summarizeRepo(broken, undefined, { threads: 2, mainTakesEnvironments: false });
    expect(worker.byWorker).toBe(3);
    expect(one.byWorker).toBe(0);
    expect({ ...worker, byWorker: 0 }).toEqual(one);
    // The fixture does exercise merging: several codes, some per environment only.
    const codes = new Set(one.diagnostics.map((d) => d.code));
    expect(codes).toEqual(new Set(['E_SCHEMA', 'E_REF_NOT_FOUND', 'E_POLICY_DENY', 'E_FILE_NOT_FOUND', 'E_SECRET_PLAINTEXT', 'E_UNKNOWN_KIND', 'W_PASSTHROUGH']));
    // And agrees with the full pipeline (`ployd render` and the bench use it).
    const full = validateRepo(broken);
    expect(one.diagnostics).toEqual(full.diagnostics);
    expect(one.resources).toBe(full.views.reduce((n, v) => n + v.resources.length, 0));
    expect(one.environments).toEqual(['dev', 'production', 'staging']);
  });

  it('does the work itself when the worker fails', async () => {
    const one = await summarizeRepo(broken, undefined, { threads: 1 });
    const failing = await summarizeRepo(broken, undefined, {
      threads: 2,
      mainTakesEnvironments: false,
      workerEntry: new URL('./fixtures/failing-worker.js', import.meta.url),
    });
    expect(failing.byWorker).toBe(0);
    expect(failing).toEqual(one);
  });

  it('keeps exit codes: 1 with errors, 0 when clean', async () => {
    expect((await runCli(['validate', broken, '--threads', '2'])).code).toBe(1);
    expect((await runCli(['validate', packagePath('examples', 'quickstart'), '--threads', '2'])).code).toBe(0);
  });

  it('refuses a bad --threads or PLOYD_THREADS with a usage error', async () => {
    expect((await runCli(['validate', broken, '--threads', '0'])).code).toBe(2);
    process.env.PLOYD_THREADS = 'many';
    try {
      const r = await runCli(['validate', broken]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('PLOYD_THREADS');
    } finally {
      delete process.env.PLOYD_THREADS;
    }
  });

  it('uses one thread for one environment or a small repo unless told otherwise', () => {
    const scan = (files: number): { files: readonly string[] } => ({ files: new Array<string>(files).fill('f.yaml') });
    expect(chooseThreads(scan(PARALLEL_MIN_FILES * 10), 'dev', 2)).toBe(1);
    expect(chooseThreads(scan(10), undefined, undefined, 2)).toBe(1);
    expect(chooseThreads(scan(PARALLEL_MIN_FILES), undefined, undefined, 2)).toBe(2);
    expect(chooseThreads(scan(PARALLEL_MIN_FILES), undefined, 1, 2)).toBe(1);
    expect(chooseThreads(scan(10), undefined, 2, 2)).toBe(2);
    // A busy machine: no idle core for the worker unless asked for.
    expect(chooseThreads(scan(PARALLEL_MIN_FILES), undefined, undefined, MIN_IDLE_CORES - 0.1)).toBe(1);
    expect(chooseThreads(scan(PARALLEL_MIN_FILES), undefined, 2, -5)).toBe(2);
  });
});
