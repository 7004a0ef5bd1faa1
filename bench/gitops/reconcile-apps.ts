// 1,000 applications fully reconciled: each app a folder with a ModelDeployment and a
// GatewayRoute, auto-synced into an in-memory runtime (MemoryRuntime: no processes; the point is
// the controller, store and SDK path) over an embedded PGlite store or a real Postgres.
// Baseline, same run: rendering + validating the same apps alone (no store, no SDK).
//   npx tsx bench/gitops/reconcile-apps.ts [apps=1000] [runs=3] [pglite|postgres]
// postgres reads PLOYD_BENCH_DATABASE_URL or PLOYD_TEST_DATABASE_URL and uses a throw-away schema.
// Besides wall time it prints figures a busy machine does not distort: store statements per app
// and this process's CPU time (with Postgres, the server's CPU is not included).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Controller, GitSource, readCatalog, renderApplication } from '../../src/controller/index.ts';
import { createPloyd, MemoryRuntime } from '../../src/sdk/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const apps = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);
const backend = process.argv[4] ?? 'pglite';
const pgUrl = process.env.PLOYD_BENCH_DATABASE_URL ?? process.env.PLOYD_TEST_DATABASE_URL;
if (backend !== 'pglite' && backend !== 'pglite-dir' && backend !== 'postgres') throw new Error(`backend must be pglite, pglite-dir or postgres, not ${backend}`);
if (backend === 'postgres' && !pgUrl) throw new Error('postgres: set PLOYD_BENCH_DATABASE_URL or PLOYD_TEST_DATABASE_URL');

// Statements sent to the database: every query of either driver goes through these methods.
// PLOYD_BENCH_STATEMENTS=1 also prints the statements of the last run by kind (first words of the SQL).
let statements = 0;
const byKind = new Map<string, number>();
const countKinds = process.env.PLOYD_BENCH_STATEMENTS === '1';
for (const proto of [PGlite.prototype, pg.Client.prototype] as { query: (...a: unknown[]) => unknown }[]) {
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    statements++;
    if (countKinds) {
      const a = args[0];
      const sql = typeof a === 'string' ? a : typeof a === 'object' && a !== null && 'text' in a ? String(a.text) : '?';
      const kind = sql.replace(/\s+/g, ' ').slice(0, 60);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    return query.apply(this, args);
  };
}

/** Peak resident set size since the last reset (Linux: VmHWM), in MB. */
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function resetPeakRss(): void {
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
}

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

async function open(): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (backend === 'pglite') return { store: await openStore({ dataDir: 'memory://' }), drop: () => Promise.resolve() };
  if (backend === 'pglite-dir') {
    // What `ployd up` uses: PGlite on a data directory on disk.
    const dataDir = mkdtempSync(join(tmpdir(), 'ployd-bench-data-'));
    return { store: await openStore({ dataDir }), drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })) };
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ url: pgUrl as string, schema, poolSize: 10 });
  return {
    store,
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const repo = makeRepo();
const base: number[] = [];
const full: number[] = [];
const cpu: number[] = [];
const perApp: number[] = [];
const peaks: number[] = [];
let openPeak = 0;
for (let r = 0; r < runs; r++) {
  const { store, drop } = await open();
  // Peak so far covers opening the store (PGlite's initdb is the process's largest moment).
  openPeak = Math.max(openPeak, peakRssMb());
  const openRss = process.memoryUsage().rss / 1024 / 1024;
  const runtime = new MemoryRuntime();
  const ployd = createPloyd({ store, runtime });
  const cache = mkdtempSync(join(tmpdir(), 'ployd-bench-cache-'));
  const controller = new Controller({ ployd, store, source: new GitSource({ repo, cacheDir: cache }), pollIntervalMs: 3_600_000, resyncIntervalMs: 3_600_000, concurrency: 16 });
  resetPeakRss();
  byKind.clear();
  const s0 = statements;
  const c0 = process.cpuUsage();
  let t = performance.now();
  await controller.start();
  await controller.idle();
  const views = await controller.list();
  const synced = views.filter((v) => v.syncStatus === 'Synced' && v.healthStatus === 'Healthy').length;
  full.push(performance.now() - t);
  const c1 = process.cpuUsage(c0);
  cpu.push((c1.user + c1.system) / 1000);
  perApp.push((statements - s0) / apps);
  peaks.push(peakRssMb());
  if (countKinds) for (const [k, n] of [...byKind].sort((x, y) => y[1] - x[1])) console.log(`  ${(n / apps).toFixed(2)}/app  ${k}`);
  if (synced !== apps) throw new Error(`only ${synced}/${apps} apps Synced/Healthy`);
  await controller.stop();
  await ployd.close();
  await store.close();
  await drop();
  rmSync(cache, { recursive: true, force: true });

  // Baseline: render + validate every app from a freshly exported tree (no cache shared with the controller's).
  const baseCache = mkdtempSync(join(tmpdir(), 'ployd-bench-cache-'));
  const src = new GitSource({ repo, cacheDir: baseCache });
  const tree = await src.tree(await src.resolve());
  t = performance.now();
  const catalog = readCatalog(tree);
  for (const { app } of catalog.applications) renderApplication(tree, app);
  base.push(performance.now() - t);
  rmSync(baseCache, { recursive: true, force: true });
  console.log(
    `run ${r + 1}: reconcile ${Math.round(full[r] ?? 0)} ms (CPU ${Math.round(cpu[r] ?? 0)} ms), render+validate ${Math.round(base[r] ?? 0)} ms, ` +
      `${(perApp[r] ?? 0).toFixed(1)} statements/app, RSS at start ${Math.round(openRss)} MB, peak during reconcile ${Math.round(peaks[r] ?? 0)} MB, ${synced} apps Synced/Healthy`,
  );
}
rmSync(repo, { recursive: true, force: true });
const m = median(full);
const peak = Math.max(...peaks);
console.log(`\n${apps} applications (2 resources each), ${backend}, median of ${runs}`);
console.log(`  full reconcile (git → render → validate → diff → sync through SDK → Synced/Healthy): ${Math.round(m)} ms, CPU ${Math.round(median(cpu))} ms`);
console.log(`  baseline render + validate only: ${Math.round(median(base))} ms  (ratio ${(m / median(base)).toFixed(1)}×)`);
console.log(`  store statements per app: ${median(perApp).toFixed(1)}`);
console.log(`  peak RSS during reconcile ${Math.round(peak)} MB; peak before it (opening the store) ${Math.round(openPeak)} MB`);
console.log(`  target ≤ 10,000 ms and ≤ 512 MB → ${m <= 10_000 && Math.max(peak, openPeak) <= 512 ? 'met' : 'NOT met'}`);
