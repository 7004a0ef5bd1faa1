import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../errors/index.ts';
import type { RepoFsState, RepoScan } from '../manifests/index.ts';
import { packagePath } from '../package-root.ts';
import { DiagnosticSet, prepareRepo, repoDiagnostics, validateEnvironment, type PreparedRepo } from './repo-pipeline.ts';

/** What `ployd validate` prints: plain data, so it can be put together from several threads. */
export interface RepoSummary {
  /** One per environment rendered (undefined: a repo without environments, one view of all). */
  readonly environments: readonly (string | undefined)[];
  readonly resources: number;
  readonly diagnostics: readonly Diagnostic[];
  /** Environments whose results came from the worker thread (not printed). */
  readonly byWorker: number;
}

/** One environment's outcome: its resource count and its load then validation findings. */
export interface EnvironmentResult {
  readonly resources: number;
  readonly diagnostics: readonly (readonly Diagnostic[])[];
}

/** The worker's one message from the main thread, once the environments are known. */
export interface WorkerInput {
  readonly fs: RepoFsState;
  readonly scan: RepoScan;
  readonly targets: readonly (string | undefined)[];
  /** Next environment index to claim, shared by both threads (Atomics.add). */
  readonly counter: Int32Array;
}

export type WorkerMessage = { readonly index: number; readonly result: EnvironmentResult } | { readonly done: true };

/**
 * Below this many scanned files a worker costs more than it saves: its start-up (≈ 0.2 s CPU of
 * module loading) and its first environment's JIT warm-up (a thread compiles the renderer and
 * validators again) against environments of a few hundred milliseconds. Measured with
 * bench/render/render.ts (see docs/performance.md).
 */
export const PARALLEL_MIN_FILES = 3000;

/** Cores nobody else is using: the machine's, less its 1-minute load average. */
function idleCores(): number {
  return availableParallelism() - (loadavg()[0] ?? 0);
}

/**
 * Threads to use, decided once the repo is scanned: `requested` (the --threads flag or
 * PLOYD_THREADS) wins; else two for a large repo when two cores are idle. One thread of
 * `ployd validate` already keeps more than one core busy: V8's helper threads (concurrent
 * compilation, parallel scavenges) take ≈ 2 s of its ≈ 5.4 s CPU on the bench repo. A worker adds
 * ≈ 1.5 s CPU (start-up and a second JIT warm-up) and takes ≈ 0.5 s off the main thread, so on
 * two cores it gains nothing and on a busy machine it loses (measured, see docs/performance.md).
 * One environment asked for (--env) is one thread; a repo that turns out to have fewer than two
 * environments lets its worker go unused.
 */
export function chooseThreads(
  scan: Pick<RepoScan, 'files'>,
  environment: string | undefined,
  requested: number | undefined,
  idle: number = idleCores(),
): 1 | 2 {
  if (environment !== undefined) return 1;
  if (requested !== undefined) return requested >= 2 ? 2 : 1;
  return scan.files.length >= PARALLEL_MIN_FILES && idle >= MIN_IDLE_CORES ? 2 : 1;
}

/** Idle cores (`availableParallelism() - loadavg`) below which a worker is not started. */
export const MIN_IDLE_CORES = 2;

/**
 * The worker's entry: the bundled `validate-worker.js` beside this chunk in dist/, or, running
 * from the TypeScript sources, the `.ts` file started through bin/ts-worker.js (which registers tsx).
 */
function startWorker(entry?: URL): Worker {
  const here = import.meta.url;
  const worker = entry
    ? new Worker(entry)
    : here.endsWith('.ts')
    ? new Worker(packagePath('bin', 'ts-worker.js'), { workerData: { entry: new URL('./validate-worker.ts', here).href } })
    : new Worker(new URL('./validate-worker.js', here));
  // A worker that fails (even before it is given work) costs nothing but time: whatever it does
  // not report, the main thread does itself. Without a listener its error would crash the process.
  worker.on('error', () => undefined);
  return worker;
}

/** Collects the worker's results until it is done, or has failed (its unfinished claims stay empty). */
function collect(worker: Worker, results: (EnvironmentResult | undefined)[]): Promise<number> {
  let received = 0;
  return new Promise((resolve) => {
    worker.on('message', (m: WorkerMessage) => {
      if ('done' in m) resolve(received);
      else {
        results[m.index] = m.result;
        received++;
      }
    });
    worker.on('error', () => resolve(received));
    worker.on('exit', () => resolve(received));
  });
}

/**
 * `ployd validate`'s pipeline. With two threads, a worker renders and validates environments
 * while the main thread runs the repo-wide checks (secret scan …) and then takes environments
 * too; each thread claims the next environment from a shared counter. Findings are merged in
 * the order the one-thread path pushes them, so the output is the same byte for byte. An
 * environment the worker claimed but did not finish (it failed) is done again here, so a failure
 * surfaces exactly as it would with one thread.
 */
export interface SummarizeOptions {
  /** 1: no worker; 2: a worker (if there are two environments or more); default: by repo size. */
  readonly threads?: number;
  /**
   * false: the main thread leaves every environment to the worker (tests use it to exercise the
   * worker's results on repos small enough for the main thread to finish first).
   */
  readonly mainTakesEnvironments?: boolean;
  /** Another worker entry (tests: one that fails, to check the main thread takes over). */
  readonly workerEntry?: URL;
}

export async function summarizeRepo(dir: string, environment: string | undefined, options: SummarizeOptions = {}): Promise<RepoSummary> {
  let worker: Worker | undefined;
  // The worker loads its modules while this thread works out the environments.
  let repo: PreparedRepo;
  try {
    repo = prepareRepo(dir, environment, (scan) => {
      if (chooseThreads(scan, environment, options.threads) === 2) worker = startWorker(options.workerEntry);
    });
  } catch (error) {
    // A worker waiting for its input would keep the process alive.
    if (worker) void worker.terminate();
    throw error;
  }
  const { targets } = repo;
  const results: (EnvironmentResult | undefined)[] = targets.map(() => undefined);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let collected: Promise<number> | undefined;
  if (worker && targets.length >= 2 && repo.fs.exportState) {
    const input: WorkerInput = { fs: repo.fs.exportState(), scan: repo.scan, targets, counter };
    collected = collect(worker, results);
    worker.postMessage(input);
  }
  // An environment that throws is kept as its error and thrown when the merge reaches it, so the
  // error surfacing is the one the one-thread path (environments in order) would throw.
  const run = (env: string | undefined): EnvironmentResult | { error: unknown } => {
    try {
      const r = validateEnvironment(repo.fs, repo.scan, env);
      return { resources: r.resources.length, diagnostics: r.diagnostics };
    } catch (error) {
      return { error };
    }
  };
  const own: ({ error: unknown } | undefined)[] = [];
  try {
    const repoWide = repoDiagnostics(repo);
    if (collected && options.mainTakesEnvironments === false) await collected;
    for (;;) {
      const index = Atomics.add(counter, 0, 1);
      if (index >= targets.length) break;
      const r = run(targets[index]);
      if ('error' in r) own[index] = r;
      else results[index] = r;
    }
    const byWorker = collected ? await collected : 0;
    const diagnostics = new DiagnosticSet();
    for (const ds of repoWide) diagnostics.push(ds);
    let resources = 0;
    for (const [i, env] of targets.entries()) {
      const r = own[i] ?? results[i] ?? run(env);
      if ('error' in r) throw r.error;
      for (const ds of r.diagnostics) diagnostics.push(ds);
      resources += r.resources;
    }
    return { environments: targets, resources, diagnostics: diagnostics.sorted(), byWorker };
  } finally {
    // Done or failed: whatever the worker still does is not needed (it may not have started).
    if (worker) void worker.terminate();
  }
}
