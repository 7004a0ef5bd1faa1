// 1,000 applications fully reconciled: each app a folder with a ModelDeployment and a
// GatewayRoute, auto-synced into an in-memory runtime (MemoryRuntime: no processes; the point is
// the controller, store and SDK path) over an embedded PGlite store or a real Postgres.
// Baseline, same run: rendering + validating the same apps alone (no store, no SDK).
//   PLOYD_LOG_LEVEL=error npx tsx bench/gitops/reconcile-apps.ts [apps=1000] [runs=3] [pglite-dir|pglite|postgres]
// pglite-dir: PGlite on a new data directory, what `ployd up` uses; pglite: PGlite in memory
// (memory://); postgres reads PLOYD_BENCH_DATABASE_URL or PLOYD_TEST_DATABASE_URL and uses a
// throw-away schema. Each run is a fresh child process (its peak RSS is that of a first run, no
// earlier run's garbage in it); the summary is the median of the runs. Besides wall time it prints
// figures a busy machine does not distort: store statements per app and the run's CPU time (with
// Postgres, the server's CPU is not included). PLOYD_BENCH_STATEMENTS=1 lists the statements per
// app by kind; PLOYD_BENCH_MEM=1 prints the process's memory composition after the reconcile.
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

// Statements sent to the database. Postgres: every query goes through pg.Client#query. PGlite:
// the store's dialect sends each statement as one protocol message through execProtocolRawStream
// (Parse+Bind+…, or Bind+… for a statement it keeps prepared), and PGlite's own query()/exec()
// send Parse, or a simple Query, as a message of its own: one statement is one message that
// starts with Parse or Query, or with Bind followed by more (a lone Bind is query()'s second step).
// PLOYD_BENCH_STATEMENTS=1 also prints the statements by kind (first words of the SQL).
let statements = 0;
const byKind = new Map<string, number>();
const countKinds = process.env.PLOYD_BENCH_STATEMENTS === '1';
const namedSql = new Map<string, string>();
function countStatement(sql: string): void {
  statements++;
  if (!countKinds) return;
  const kind = sql.replace(/\s+/g, ' ').slice(0, 60);
  byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
}
const pgQuery = (pg.Client.prototype as { query: (...a: unknown[]) => unknown }).query;
(pg.Client.prototype as { query: (...a: unknown[]) => unknown }).query = function (this: unknown, ...args: unknown[]) {
  const a = args[0];
  countStatement(typeof a === 'string' ? a : typeof a === 'object' && a !== null && 'text' in a ? String(a.text) : '?');
  return pgQuery.apply(this, args);
};
const cstringAt = (b: Buffer, at: number): [string, number] => {
  const z = b.indexOf(0, at);
  return [b.toString('utf8', at, z), z + 1];
};
function countMessage(message: Uint8Array): void {
  const b = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const first = b[0];
  if (first === 0x51) countStatement(cstringAt(b, 5)[0]); // 'Q'
  else if (first === 0x50) {
    // 'P': statement name, then its SQL
    const [name, next] = cstringAt(b, 5);
    const [sql] = cstringAt(b, next);
    if (name) namedSql.set(name, sql);
    countStatement(sql);
  } else if (first === 0x42 && b.readInt32BE(1) + 1 < b.length) {
    // 'B' and more: a prepared statement run; its name follows the (unnamed) portal name
    const [, next] = cstringAt(b, 5);
    countStatement(namedSql.get(cstringAt(b, next)[0]) ?? '?');
  }
}
// PGlite's query()/exec() go through execProtocolRaw, the store's dialect through execProtocolRawStream.
const proto = PGlite.prototype as { execProtocolRaw: PGlite['execProtocolRaw']; execProtocolRawStream: PGlite['execProtocolRawStream'] };
const execRaw = proto.execProtocolRaw;
proto.execProtocolRaw = function (this: PGlite, message, options) {
  countMessage(message);
  return execRaw.call(this, message, options);
};
const execRawStream = proto.execProtocolRawStream;
proto.execProtocolRawStream = function (this: PGlite, message, options) {
  countMessage(message);
  return execRawStream.call(this, message, options);
};

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

interface RunResult {
  readonly reconcileMs: number;
  readonly cpuMs: number;
  readonly baseMs: number;
  readonly perApp: number;
  readonly openRss: number;
  readonly openPeak: number;
  readonly peak: number;
  readonly synced: number;
}

/** One run, in this process: open a store, reconcile every app, close; then the baseline. */
async function runOnce(repo: string): Promise<RunResult> {
  const { store, drop } = await open();
  // Peak so far covers opening the store (PGlite's start is the process's largest moment).
  const openPeak = peakRssMb();
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
  const reconcileMs = performance.now() - t;
  const c1 = process.cpuUsage(c0);
  const perApp = (statements - s0) / apps;
  const peak = peakRssMb();
  if (process.env.PLOYD_BENCH_MEM === '1') {
    const mb = (n: number): number => Math.round(n / 1048576);
    const mu = process.memoryUsage();
    console.log(`  memory after reconcile: rss ${mb(mu.rss)} heapTotal ${mb(mu.heapTotal)} heapUsed ${mb(mu.heapUsed)} external ${mb(mu.external)} arrayBuffers ${mb(mu.arrayBuffers)} MB`);
  }
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
  const baseMs = performance.now() - t;
  rmSync(baseCache, { recursive: true, force: true });
  return { reconcileMs, cpuMs: (c1.user + c1.system) / 1000, baseMs, perApp, openRss, openPeak, peak, synced };
}

// Each run in a fresh child process (PLOYD_BENCH_REPO set): no run's garbage, JIT or PGlite
// memory counts in the next one's figures, and every run's memory is the honest first-run figure.
const childRepo = process.env.PLOYD_BENCH_REPO;
if (childRepo) {
  const r = await runOnce(childRepo);
  console.log(`RESULT ${JSON.stringify(r)}`);
} else {
  const repo = makeRepo();
  const results: RunResult[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        env: { ...process.env, PLOYD_BENCH_REPO: repo },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      });
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`run ${i + 1} printed no result:\n${out}`);
      for (const l of out.split('\n')) if (l && !l.startsWith('RESULT ')) console.log(l);
      const r = JSON.parse(line.slice('RESULT '.length)) as RunResult;
      results.push(r);
      console.log(
        `run ${i + 1}: reconcile ${Math.round(r.reconcileMs)} ms (CPU ${Math.round(r.cpuMs)} ms), render+validate ${Math.round(r.baseMs)} ms, ` +
          `${r.perApp.toFixed(1)} statements/app, RSS after opening the store ${Math.round(r.openRss)} MB (peak ${Math.round(r.openPeak)} MB), ` +
          `peak during reconcile ${Math.round(r.peak)} MB, ${r.synced} apps Synced/Healthy`,
      );
    }
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
  const m = median(results.map((r) => r.reconcileMs));
  const peak = median(results.map((r) => Math.max(r.peak, r.openPeak)));
  const maxPeak = Math.max(...results.map((r) => Math.max(r.peak, r.openPeak)));
  console.log(`\n${apps} applications (2 resources each), ${backend}, median of ${runs} runs, each in a fresh process`);
  console.log(`  full reconcile (git → render → validate → diff → sync through SDK → Synced/Healthy): ${Math.round(m)} ms, CPU ${Math.round(median(results.map((r) => r.cpuMs)))} ms`);
  console.log(`  baseline render + validate only: ${Math.round(median(results.map((r) => r.baseMs)))} ms  (ratio ${(m / median(results.map((r) => r.baseMs))).toFixed(1)}×)`);
  console.log(`  store statements per app: ${median(results.map((r) => r.perApp)).toFixed(1)}`);
  console.log(`  peak RSS of the process (opening the store or reconciling, whichever is higher): median ${Math.round(peak)} MB, highest ${Math.round(maxPeak)} MB`);
  console.log(`  target ≤ 10,000 ms and ≤ 512 MB → ${m <= 10_000 && peak <= 512 ? 'met' : 'NOT met'}`);
}
