// 1,000 applications fully reconciled: each app a folder with a ModelDeployment and a
// GatewayRoute, auto-synced into an in-memory runtime (MemoryRuntime: no processes; the point is
// the controller, store and SDK path) over an embedded PGlite store.
// Baseline, same run: rendering + validating the same apps alone (no store, no SDK).
//   npx tsx bench/gitops/reconcile-apps.ts [apps=1000] [runs=3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, GitSource, readCatalog, renderApplication } from '../../src/controller/index.ts';
import { createPloyd, MemoryRuntime } from '../../src/sdk/index.ts';
import { openStore } from '../../src/store/index.ts';

const apps = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ployd-bench-apps-'));
  for (let i = 0; i < apps; i++) {
    const a = `app-${i}`;
    mkdirSync(join(dir, 'apps', a), { recursive: true });
    writeFileSync(
      join(dir, 'apps', a, 'app.yaml'),
      `apiVersion: ployd.ai/v1\nkind: Application\nmetadata:\n  name: ${a}\nspec:\n  environment: dev\n  source:\n    path: workloads/${a}\n  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n`,
    );
    mkdirSync(join(dir, 'workloads', a), { recursive: true });
    writeFileSync(
      join(dir, 'workloads', a, 'resources.yaml'),
      `apiVersion: ployd.ai/v1\nkind: ModelDeployment\nmetadata:\n  name: m-${i}\nspec:\n  model:\n    name: m-${i}\n    framework: simulator\n    path: hf://bench/m-${i}\n  replicas: 1\n---\napiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata:\n  name: r-${i}\nspec:\n  path: /r${i}\n  models:\n  - name: m-${i}\n    weight: 100\n`,
    );
  }
  const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'apps');
  return dir;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const repo = makeRepo();
const base: number[] = [];
const full: number[] = [];
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
for (let r = 0; r < runs; r++) {
  // Baseline: render + validate every app from the exported tree.
  const cache = mkdtempSync(join(tmpdir(), 'ployd-bench-cache-'));
  const src = new GitSource({ repo, cacheDir: cache });
  const tree = await src.tree(await src.resolve());
  let t = performance.now();
  const catalog = readCatalog(tree);
  for (const { app } of catalog.applications) renderApplication(tree, app);
  base.push(performance.now() - t);

  const store = await openStore({ dataDir: 'memory://' });
  const runtime = new MemoryRuntime();
  const ployd = createPloyd({ store, runtime });
  const controller = new Controller({ ployd, store, source: new GitSource({ repo, cacheDir: mkdtempSync(join(tmpdir(), 'ployd-bench-cache-')) }), pollIntervalMs: 3_600_000, resyncIntervalMs: 3_600_000, concurrency: 16 });
  t = performance.now();
  await controller.start();
  await controller.idle();
  const views = await controller.list();
  const synced = views.filter((v) => v.syncStatus === 'Synced' && v.healthStatus === 'Healthy').length;
  full.push(performance.now() - t);
  if (synced !== apps) throw new Error(`only ${synced}/${apps} apps Synced/Healthy`);
  await controller.stop();
  await ployd.close();
  await store.close();
  rmSync(cache, { recursive: true, force: true });
  console.log(`run ${r + 1}: reconcile ${Math.round(full[r] ?? 0)} ms, render+validate ${Math.round(base[r] ?? 0)} ms, ${synced} apps Synced/Healthy`);
}
clearInterval(sampler);
rmSync(repo, { recursive: true, force: true });
const m = median(full);
console.log(`\n${apps} applications (2 resources each), median of ${runs}`);
console.log(`  full reconcile (git → render → validate → diff → sync through SDK → Synced/Healthy): ${Math.round(m)} ms`);
console.log(`  baseline render + validate only: ${Math.round(median(base))} ms  (ratio ${(m / median(base)).toFixed(1)}×)`);
console.log(`  peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
console.log(`  target ≤ 10,000 ms and ≤ 512 MB → ${m <= 10_000 && peakRss <= 512 * 1024 * 1024 ? 'met' : 'NOT met'}`);
