import { PGlite } from '@electric-sql/pglite';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Controller, GitSource, type ControllerOptions } from '../../src/controller/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { createPloyd, MemoryRuntime, type MemoryRuntimeOptions, type Ployd } from '../../src/sdk/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

export const QUICKSTART = join(import.meta.dirname, '../../examples/quickstart');

/** A simulator ModelDeployment as a repo file: `replicas` (default 1), and an Argo CD sync wave when given. */
export function simulatorModelYaml(name: string, o: { replicas?: number; wave?: number } = {}): string {
  const wave = o.wave !== undefined ? `  annotations:\n    argocd.argoproj.io/sync-wave: "${o.wave}"\n` : '';
  return `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: ${name}
${wave}spec:
  model:
    name: ${name}
    framework: simulator
    path: hf://example/${name}
  replicas: ${o.replicas ?? 1}
`;
}

/** A real git repository in a temp folder. */
export class TestRepo {
  readonly dir: string;
  constructor(from?: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'ployd-ctl-repo-'));
    if (from) cpSync(from, this.dir, { recursive: true });
    this.git('init', '-q', '-b', 'main');
    if (from) this.commit('initial');
  }
  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=Test Author', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
    });
  }
  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }
  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }
  edit(path: string, from: string | RegExp, to: string): void {
    const before = this.read(path);
    const after = before.replace(from, to);
    if (after === before) throw new Error(`edit of ${path} changed nothing`);
    this.write(path, after);
  }
  remove(path: string): void {
    rmSync(join(this.dir, path), { recursive: true, force: true });
  }
  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Harness {
  readonly repo: TestRepo;
  readonly store: Store;
  readonly runtime: MemoryRuntime;
  readonly ployd: Ployd;
  readonly controller: Controller;
  readonly cacheDir: string;
  /** A second controller over the same store and repo (a restart). */
  restart(extra?: Partial<ControllerOptions>): Promise<Controller>;
  close(): Promise<void>;
}

let shared: Promise<PGlite> | undefined;

/**
 * A store per test without paying for a new PGlite each time (seconds on a busy machine): one
 * in-memory PGlite per test file, a fresh schema per test.
 */
export async function testStore(): Promise<Store> {
  shared ??= PGlite.create('memory://');
  return openStore({ pglite: await shared, schema: `t_${randomBytes(6).toString('hex')}` });
}

export async function harness(repo: TestRepo, extra: Partial<ControllerOptions> = {}, runtimeOptions: MemoryRuntimeOptions = {}): Promise<Harness> {
  const store = await testStore();
  const runtime = new MemoryRuntime(runtimeOptions);
  const logger = createLogger();
  const ployd = createPloyd({ store, runtime, logger });
  const cacheDir = mkdtempSync(join(tmpdir(), 'ployd-ctl-cache-'));
  const make = (more: Partial<ControllerOptions>): Controller =>
    new Controller({
      ployd,
      store,
      source: new GitSource({ repo: repo.dir, cacheDir }),
      logger,
      runtime,
      pollIntervalMs: 3_600_000,
      resyncIntervalMs: 3_600_000,
      selfHealBackoff: { base: 300, factor: 2, max: 5_000 },
      retryBackoff: { base: 200, factor: 2, max: 2_000 },
      healthTimeoutMs: 5_000,
      ...extra,
      ...more,
    });
  let controller = make({});
  return {
    repo,
    store,
    runtime,
    ployd,
    cacheDir,
    get controller() {
      return controller;
    },
    async restart(more = {}) {
      await controller.stop();
      controller = make(more);
      return controller;
    },
    async close() {
      await controller.stop();
      await ployd.close();
      await store.close();
      rmSync(cacheDir, { recursive: true, force: true });
      repo.close();
    },
  };
}

/** Polls until `check` returns a truthy value (tests of asynchronous convergence). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 8_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
