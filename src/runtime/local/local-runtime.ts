import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { PloydError, isPloydError } from '../../errors/index.ts';
import { type Logger, rootLogger } from '../../log/index.ts';
import { type ModelDeployment, desiredReplicas, gpusPerReplica, servedModelName } from '../../resources/index.ts';
import { GpuInventory, describeShortage } from '../gpu/index.ts';
import type { DeploymentRef, DeploymentStatus, Endpoint, ReplicaPhase, ReplicaStatus, Runtime } from '../types.ts';
import { DEFAULT_STABILIZATION_WINDOW_MS, type Recommendation, decideReplicas, targetInFlight } from './autoscale.ts';
import { failuresAfterExit, restartDelay } from './backoff.ts';
import { rollupHealth } from './health.ts';
import { httpGet } from './http-get.ts';
import { type LauncherResolver, type ReplicaLauncher, frameworkLauncherFor, loadFromMetrics } from './launcher.ts';
import { freePort, isPortFree, looksLikePortInUse } from './ports.ts';
import { findProcessesWithEnv, groupAlive, isAlive, readCmdline, readEnviron, readStat, signalGroup } from './proc.ts';
import { logPath, noteLine, openLogForChild, rotateIfNeeded, tailLines } from './replica-log.ts';
import { specHash } from './spec-hash.ts';
import { type DeploymentRecord, type ReplicaRecord, type StateFile, acquireLock, readState, writeState } from './state-file.ts';

/** Environment keys the supervisor puts into every replica: how it recognises its own after a restart. */
export const ENV_STATE_DIR = 'PLOYD_REPLICA_STATE_DIR';
export const ENV_REPLICA = 'PLOYD_REPLICA';
export const ENV_REPLICA_UID = 'PLOYD_REPLICA_UID';

/** Timings, all in milliseconds. Spec fields (probes, startupTimeout, stabilizationWindow) win over these defaults. */
export interface LocalRuntimeTimings {
  /** Readiness/liveness probe period once a replica has been Ready (spec readinessProbe.periodSeconds wins). */
  readonly probePeriodMs: number;
  /** Probe period while starting: short, so Ready is seen quickly. */
  readonly startupProbeMs: number;
  readonly probeTimeoutMs: number;
  /** A replica not Ready by then is killed and restarted (E_STARTUP_TIMEOUT); spec.health.startupTimeout wins. */
  readonly startupTimeoutMs: number;
  /** Running this long since the last start resets the restart back-off. */
  readonly stableMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Longest wait for in-flight requests to finish when draining a replica that reports metrics. */
  readonly drainTimeoutMs: number;
  /** Wait after removing a replica without metrics from the endpoints, for requests already sent. */
  readonly noMetricsDrainMs: number;
  /** SIGTERM → SIGKILL grace. */
  readonly terminationGraceMs: number;
  readonly autoscaleIntervalMs: number;
  /** How often log sizes are checked for rotation. */
  readonly logCheckMs: number;
}

export const DEFAULT_TIMINGS: LocalRuntimeTimings = {
  probePeriodMs: 10_000,
  startupProbeMs: 100,
  probeTimeoutMs: 1000,
  startupTimeoutMs: 10 * 60_000,
  stableMs: 60_000,
  backoffInitialMs: 1000,
  backoffMaxMs: 5 * 60_000,
  drainTimeoutMs: 30_000,
  noMetricsDrainMs: 2000,
  terminationGraceMs: 10_000,
  autoscaleIntervalMs: 10_000,
  logCheckMs: 10_000,
};

export interface LocalRuntimeOptions {
  /** Where state and logs live; default `.ployd/runtime`. */
  readonly stateDir?: string;
  /** Interface replicas listen on; default 127.0.0.1. */
  readonly host?: string;
  /** GPUs: an inventory, a `--gpus N[:type]` declaration, or (default) whatever nvidia-smi reports. */
  readonly gpus?: GpuInventory | string;
  /** Framework launcher per deployment; default the launchers of src/runtime/frameworks. */
  readonly launcherFor?: LauncherResolver;
  readonly logger?: Logger;
  readonly timings?: Partial<LocalRuntimeTimings>;
  /** Stop replicas on SIGINT/SIGTERM of this process (then re-raise the signal); default true. */
  readonly handleSignals?: boolean;
  /** Re-create the deployments of the last run from the state file; default true. */
  readonly restore?: boolean;
  /** In-flight requests per endpoint as the gateway counts them, for replicas without metrics. */
  readonly inFlight?: (endpoint: Endpoint) => number | undefined;
  /** Log rotation: size that triggers it (default 10 MiB) and rotated files kept (default 5). */
  readonly logRotation?: { readonly maxBytes?: number; readonly keep?: number };
  /** Extra environment for every replica (after the process environment, before the launcher's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Port allocation; default an OS-assigned free port. Tests inject a taken port here. */
  readonly allocatePort?: (host: string) => Promise<number>;
}

type LocalModelDeployment = ModelDeployment & { metadata: { namespace: string } };

interface Replica {
  readonly index: number;
  readonly id: string;
  specHash: string;
  phase: ReplicaPhase;
  reason?: string | undefined;
  lastLog?: string[] | undefined;
  restarts: number;
  /** Consecutive failures, for the back-off. */
  failures: number;
  gpus: number[];
  gpusHeld: boolean;
  port?: number | undefined;
  /** Port must be re-allocated before the next start (it was taken). */
  portTaken?: boolean | undefined;
  uid?: string | undefined;
  pid?: number | undefined;
  pgid?: number | undefined;
  startTicks?: number | undefined;
  cmdline?: string[] | undefined;
  child?: ChildProcess | undefined;
  startedAt: number;
  everReady: boolean;
  readinessFailures: number;
  livenessFailures: number;
  stopping: boolean;
  stopped?: Promise<void> | undefined;
  timer?: NodeJS.Timeout | undefined;
  startupTimer?: NodeJS.Timeout | undefined;
  /** Set when a process exit was seen; resolves waiters in terminate(). */
  exited?: (() => void) | undefined;
  /** The supervisor itself is killing it (startup timeout, liveness): the exit is not a crash. */
  expectExit: boolean;
  probing: boolean;
}

interface Deployment {
  readonly ref: DeploymentRef;
  md: LocalModelDeployment;
  hash: string;
  desired: number;
  launcher: ReplicaLauncher;
  readonly replicas: Map<number, Replica>;
  history: Recommendation[];
  deleted: boolean;
  autoscaleMessage?: string | undefined;
}

const key = (ref: DeploymentRef): string => `${ref.namespace}/${ref.name}`;
const LAST_LOG_LINES = 20;

/**
 * Creates the local runtime: a process supervisor for model replicas on this machine.
 *
 * @example
 * const runtime = await createLocalRuntime({ launcherFor, stateDir: '.ployd/runtime' });
 * await runtime.apply(md);              // converges in the background
 * runtime.onChange(() => publish(runtime.endpoints()));
 */
export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<Runtime & { readonly stateDir: string }> {
  const stateDir = resolvePath(options.stateDir ?? '.ployd/runtime');
  const release = acquireLock(stateDir);
  try {
    const gpus =
      options.gpus instanceof GpuInventory
        ? options.gpus
        : typeof options.gpus === 'string'
          ? GpuInventory.declared(options.gpus)
          : await GpuInventory.detect();
    const rt = new LocalRuntime(options, stateDir, gpus, release);
    rt.start();
    return rt;
  } catch (err) {
    release();
    throw err;
  }
}

class LocalRuntime implements Runtime {
  readonly name = 'local';
  readonly stateDir: string;
  readonly #o: LocalRuntimeOptions;
  readonly #t: LocalRuntimeTimings;
  readonly #host: string;
  readonly #gpus: GpuInventory;
  readonly #log: Logger;
  readonly #deps = new Map<string, Deployment>();
  readonly #listeners = new Set<() => void>();
  readonly #reservedPorts = new Set<number>();
  /** Stale processes being killed at start-up; close() waits for them. */
  readonly #cleanups: Promise<void>[] = [];
  readonly #releaseLock: () => void;
  #endpoints: readonly Endpoint[] | undefined;
  /** Stops in progress, and the ref'd timer that keeps the process alive until they finish. */
  #busyCount = 0;
  #busyTimer: NodeJS.Timeout | undefined;
  #notifyScheduled = false;
  #reconcileScheduled = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #autoscaleTimer: NodeJS.Timeout | undefined;
  #logTimer: NodeJS.Timeout | undefined;
  readonly #onExit = (): void => this.#killAllNow();
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    process.removeListener('SIGINT', this.#onSignal);
    process.removeListener('SIGTERM', this.#onSignal);
    void this.close().finally(() => {
      // Someone else handles the signal too: let them decide when to exit. Otherwise keep the
      // default meaning of the signal (terminate) now that the replicas are down.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };

  constructor(options: LocalRuntimeOptions, stateDir: string, gpus: GpuInventory, releaseLock: () => void) {
    this.#o = options;
    this.#t = { ...DEFAULT_TIMINGS, ...options.timings };
    this.stateDir = stateDir;
    this.#host = options.host ?? '127.0.0.1';
    this.#gpus = gpus;
    this.#log = (options.logger ?? rootLogger()).child({ component: 'runtime.local' });
    this.#releaseLock = releaseLock;
  }

  start(): void {
    const { state, warning } = readState(this.stateDir);
    if (warning) this.#log.warn({ stateDir: this.stateDir }, warning);
    if (this.#o.restore !== false) {
      for (const rec of state.deployments) this.#restoreDeployment(rec);
    }
    const adoptedPgids = new Set<number>();
    for (const rec of state.replicas) {
      if (this.#adopt(rec)) adoptedPgids.add(rec.pgid);
      else this.#cleanupStale(rec.pgid, rec.uid, `${rec.namespace}/${rec.name}/${rec.index}`);
    }
    // A replica spawned in the instant before a SIGKILL may be missing from the state file: find
    // every process carrying our state dir in its environment and stop those we did not adopt.
    // Both keys must be there: only the supervisor sets PLOYD_REPLICA_UID, so a user's shell that
    // happens to export the state dir is never mistaken for a replica.
    for (const pid of findProcessesWithEnv(ENV_STATE_DIR, this.stateDir, ENV_REPLICA_UID)) {
      const pgid = readStat(pid)?.pgid;
      if (pgid === undefined || adoptedPgids.has(pgid) || pgid === process.pid) continue;
      adoptedPgids.add(pgid); // once per group
      this.#cleanupStale(pgid, undefined, `pid ${pid}`);
    }
    this.#persist();
    process.on('exit', this.#onExit);
    if (this.#o.handleSignals !== false) {
      process.on('SIGINT', this.#onSignal);
      process.on('SIGTERM', this.#onSignal);
    }
    this.#autoscaleTimer = setInterval(() => void this.#autoscaleTick(), this.#t.autoscaleIntervalMs);
    this.#autoscaleTimer.unref();
    this.#logTimer = setInterval(() => this.#rotateLogs(), this.#t.logCheckMs);
    this.#logTimer.unref();
    this.#scheduleReconcile();
  }

  // ---- Runtime interface ----------------------------------------------------------------------

  apply(md: LocalModelDeployment): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    const ns = md.metadata.namespace;
    if (typeof ns !== 'string' || ns === '') {
      return Promise.reject(new PloydError('E_VALIDATION', 'metadata.namespace is required by the runtime', { field: 'metadata.namespace' }));
    }
    const ref = { namespace: ns, name: md.metadata.name };
    // Resolve the launcher and dry-run it now: a deployment the launcher cannot start (missing
    // command, missing model path) is refused whole instead of crash-looping half-applied.
    let launcher: ReplicaLauncher;
    try {
      launcher = this.#launcherFor(md);
      launcher.launch(md, { port: 1, gpus: [], replicaIndex: 0, host: this.#host });
    } catch (err) {
      return Promise.reject(
        isPloydError(err) ? err : new PloydError('E_VALIDATION', `${key(ref)}: cannot launch: ${(err as Error).message}`, { ...ref }),
      );
    }
    const hash = specHash(md);
    const existing = this.#deps.get(key(ref));
    if (existing && !existing.deleted) {
      const changed = existing.hash !== hash;
      existing.md = md;
      existing.hash = hash;
      existing.launcher = launcher;
      // With the autoscaler on and no explicit count, keep its current decision (as an HPA-owned
      // Deployment keeps its replicas when the manifest omits the field), within the new bounds.
      existing.desired = md.spec.replicas !== undefined || !this.#autoscaled(existing) ? desiredReplicas(md) : this.#clampToBounds(existing, existing.desired);
      if (changed) this.#log.info({ ...ref, specHash: hash }, 'spec changed: replacing replicas');
    } else {
      this.#deps.set(key(ref), {
        ref,
        md,
        hash,
        desired: desiredReplicas(md),
        launcher,
        replicas: existing?.replicas ?? new Map<number, Replica>(),
        history: [],
        deleted: false,
      });
    }
    this.#persist();
    this.#scheduleReconcile();
    this.#changed();
    return Promise.resolve();
  }

  scale(ref: DeploymentRef, replicas: number): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    const dep = this.#deps.get(key(ref));
    if (!dep || dep.deleted) return Promise.reject(new PloydError('E_NOT_FOUND', `deployment ${key(ref)} not found`, { ...ref }));
    if (!Number.isInteger(replicas) || replicas < 0) {
      return Promise.reject(new PloydError('E_VALIDATION', `replicas must be a whole number ≥ 0; got ${replicas}`, { field: 'replicas' }));
    }
    dep.desired = replicas;
    dep.history = [];
    this.#persist();
    this.#scheduleReconcile();
    this.#changed();
    return Promise.resolve();
  }

  async delete(ref: DeploymentRef): Promise<void> {
    if (this.#closed) throw closedError();
    const dep = this.#deps.get(key(ref));
    if (!dep) return;
    dep.deleted = true;
    dep.desired = 0;
    this.#persist();
    this.#changed();
    await Promise.all([...dep.replicas.values()].map((r) => this.#stop(dep, r, true)));
    if (dep.deleted && this.#deps.get(key(ref)) === dep) this.#deps.delete(key(ref));
    this.#persist();
    this.#changed();
  }

  status(ref: DeploymentRef): Promise<DeploymentStatus | undefined> {
    const dep = this.#deps.get(key(ref));
    return Promise.resolve(dep && !dep.deleted ? this.#statusOf(dep) : undefined);
  }

  list(): Promise<DeploymentStatus[]> {
    return Promise.resolve([...this.#deps.values()].filter((d) => !d.deleted).map((d) => this.#statusOf(d)));
  }

  endpoints(): readonly Endpoint[] {
    if (this.#endpoints) return this.#endpoints;
    const out: Endpoint[] = [];
    for (const dep of this.#deps.values()) {
      if (dep.deleted) continue;
      const served = servedModelName(dep.md);
      for (const r of [...dep.replicas.values()].sort((a, b) => a.index - b.index)) {
        if (r.phase === 'Ready' && !r.stopping && r.port !== undefined) {
          out.push({ ...dep.ref, servedModelName: served, replicaId: r.id, url: `http://${this.#urlHost()}:${r.port}` });
        }
      }
    }
    this.#endpoints = Object.freeze(out);
    return this.#endpoints;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    // Every caller (the app, our own signal handler) waits for the same, complete shutdown.
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#autoscaleTimer);
    clearInterval(this.#logTimer);
    process.removeListener('SIGINT', this.#onSignal);
    process.removeListener('SIGTERM', this.#onSignal);
    // Children die with the supervisor: no drain (nothing will route to them any more), just a
    // graceful stop. The deployments stay in the state file, so the next start restores them.
    const stops: Promise<void>[] = [];
    for (const dep of this.#deps.values()) for (const r of dep.replicas.values()) stops.push(this.#stop(dep, r, false, true));
    await Promise.all([...stops, ...this.#cleanups]);
    this.#persist();
    process.removeListener('exit', this.#onExit);
    this.#releaseLock();
    this.#listeners.clear();
  }

  // ---- convergence ------------------------------------------------------------------------------

  #scheduleReconcile(): void {
    if (this.#reconcileScheduled || this.#closed) return;
    this.#reconcileScheduled = true;
    setImmediate(() => {
      this.#reconcileScheduled = false;
      if (this.#closed) return;
      for (const dep of this.#deps.values()) this.#reconcile(dep);
    });
  }

  #reconcile(dep: Deployment): void {
    if (dep.deleted) return;
    const live = [...dep.replicas.values()].filter((r) => !r.stopping);
    const current = live.filter((r) => r.specHash === dep.hash);
    const outdated = live.filter((r) => r.specHash !== dep.hash);

    // Scale down: the least useful first (not ready, then highest index).
    if (current.length > dep.desired) {
      const rank = (r: Replica): number => (r.phase === 'Ready' ? 1 : 0);
      const victims = [...current].sort((a, b) => rank(a) - rank(b) || b.index - a.index).slice(0, current.length - dep.desired);
      for (const r of victims) void this.#stop(dep, r, true);
    }
    // Scale up / replace: new replicas of the current spec.
    for (let n = current.length; n < dep.desired; n++) {
      const index = this.#freeIndex(dep);
      const r: Replica = {
        index,
        id: `${dep.ref.name}-${index}`,
        specHash: dep.hash,
        phase: 'Pending',
        restarts: 0,
        failures: 0,
        gpus: [],
        gpusHeld: false,
        startedAt: Date.now(),
        everReady: false,
        readinessFailures: 0,
        livenessFailures: 0,
        stopping: false,
        probing: false,
        expectExit: false,
      };
      dep.replicas.set(index, r);
      this.#changed();
    }
    // Old-spec replicas go once new ones can carry the traffic, or at once when they are not
    // serving anyway or hold GPUs a new replica is waiting for.
    if (outdated.length > 0) {
      const readyCurrent = current.filter((r) => r.phase === 'Ready').length;
      const waitingForResources = current.some((r) => r.phase === 'Pending' && r.reason !== undefined);
      let readyOld = outdated.filter((r) => r.phase === 'Ready').length;
      for (const r of outdated) {
        if (r.phase !== 'Ready') void this.#stop(dep, r, false);
        else if (readyCurrent + readyOld > dep.desired || waitingForResources || readyCurrent >= dep.desired) {
          readyOld--;
          void this.#stop(dep, r, true);
        }
      }
    }
    for (const r of dep.replicas.values()) {
      if (!r.stopping && r.phase === 'Pending' && r.timer === undefined) void this.#launch(dep, r);
    }
  }

  #freeIndex(dep: Deployment): number {
    let i = 0;
    while (dep.replicas.has(i)) i++;
    return i;
  }

  #autoscaled(dep: Deployment): boolean {
    const s = dep.md.spec.scaling;
    return s !== undefined && s.enabled && s.maxReplicas > s.minReplicas;
  }

  #clampToBounds(dep: Deployment, n: number): number {
    const s = dep.md.spec.scaling;
    if (!s || n === 0) return n;
    return Math.min(s.maxReplicas, Math.max(s.minReplicas, n));
  }

  // ---- starting a replica -----------------------------------------------------------------------

  async #launch(dep: Deployment, r: Replica): Promise<void> {
    if (r.stopping || this.#closed || r.child || r.pid !== undefined) return;
    const need = gpusPerReplica(dep.md);
    if (!r.gpusHeld) {
      const type = dep.md.spec.resources?.gpu?.type;
      const got = this.#gpus.allocate(r.id + '@' + key(dep.ref), need, type);
      if ('shortage' in got) {
        this.#setPhase(r, 'Pending', describeShortage(got.shortage));
        return; // retried when GPUs are released (every stop reconciles)
      }
      r.gpus = got.gpus;
      r.gpusHeld = true;
    }
    // Mark busy before the first await so concurrent reconciles do not launch it twice.
    this.#setPhase(r, 'Starting', undefined);
    let port: number;
    try {
      port = await this.#pickPort(dep, r);
    } catch (err) {
      if (r.stopping || this.#closed) return;
      const msg = err instanceof Error ? err.message : String(err);
      this.#setPhase(r, 'Pending', msg);
      r.failures++;
      this.#retryLater(dep, r, restartDelay(r.failures, this.#t.backoffInitialMs, this.#t.backoffMaxMs));
      return;
    }
    if (r.stopping || this.#closed) {
      this.#reservedPorts.delete(port);
      return;
    }
    r.port = port;
    this.#spawn(dep, r);
  }

  async #pickPort(dep: Deployment, r: Replica): Promise<number> {
    const fixed = dep.md.spec.serving?.port;
    if (fixed !== undefined) {
      // A declared port is honoured (replica i on port+i) and never silently replaced.
      const port = fixed + r.index;
      if (this.#reservedPorts.has(port) || !(await isPortFree(port, this.#host))) {
        throw new Error(`E_PORT_IN_USE: port ${port} (spec.serving.port ${fixed} + replica ${r.index}) is already in use on ${this.#host}`);
      }
      this.#reservedPorts.add(port);
      return port;
    }
    if (r.port !== undefined && !r.portTaken && (await isPortFree(r.port, this.#host)) && !this.#reservedPorts.has(r.port)) {
      // Keep a restarted replica on its port: URLs in logs and dashboards stay meaningful.
      this.#reservedPorts.add(r.port);
      return r.port;
    }
    const alloc = this.#o.allocatePort ?? freePort;
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await alloc(this.#host);
      if (!this.#reservedPorts.has(port)) {
        this.#reservedPorts.add(port);
        r.portTaken = false;
        return port;
      }
    }
    throw new Error(`E_PORT_IN_USE: no free port found on ${this.#host}`);
  }

  #spawn(dep: Deployment, r: Replica): void {
    const port = r.port as number;
    let spec: ReturnType<ReplicaLauncher['launch']>;
    try {
      spec = dep.launcher.launch(dep.md, { port, gpus: r.gpus, replicaIndex: r.index, host: this.#host });
    } catch (err) {
      this.#fail(dep, r, `E_VALIDATION: cannot launch: ${(err as Error).message}`);
      return;
    }
    const uid = randomUUID();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, this.#o.env ?? {}, dep.md.spec.env ?? {}, spec.env);
    // Replicas see only the GPUs they were given; a GPU-less replica sees none (empty value), so it
    // cannot take memory on GPUs assigned to others.
    env.CUDA_VISIBLE_DEVICES = r.gpus.join(',');
    env[ENV_STATE_DIR] = this.stateDir;
    env[ENV_REPLICA] = `${key(dep.ref)}/${r.index}`;
    env[ENV_REPLICA_UID] = uid;

    const path = logPath(this.stateDir, dep.ref.namespace, dep.ref.name, r.index);
    let fd: number;
    try {
      fd = openLogForChild(path);
    } catch (err) {
      this.#fail(dep, r, `E_IO: cannot open log ${path}: ${(err as Error).message}`);
      return;
    }
    const cmdText = [spec.command, ...spec.args].join(' ');
    try {
      appendFileSync(fd, noteLine(`starting replica ${r.index} on port ${port}${r.gpus.length ? ` with GPUs ${r.gpus.join(',')}` : ''}: ${cmdText}`));
    } catch {
      // a full disk must not stop the replica from starting
    }
    let child: ChildProcess;
    try {
      // detached: a new session and process group, so the whole tree (vLLM's workers too) is
      // signalled as one, and a supervisor crash does not take the replicas down with it.
      child = spawn(spec.command, [...spec.args], { detached: true, stdio: ['ignore', fd, fd], env });
    } catch (err) {
      closeSync(fd);
      this.#fail(dep, r, `E_COMMAND_NOT_FOUND: cannot start ${spec.command}: ${(err as Error).message}`);
      return;
    }
    // The child holds its own copy of the descriptor.
    closeSync(fd);
    child.unref();
    r.child = child;
    r.uid = uid;
    r.startedAt = Date.now();
    r.readinessFailures = 0;
    r.livenessFailures = 0;
    let spawnFailed = false;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnFailed = true;
      r.child = undefined;
      this.#reservedPorts.delete(port);
      const why =
        err.code === 'ENOENT'
          ? `E_COMMAND_NOT_FOUND: command not found: ${spec.command}`
          : err.code === 'EACCES'
            ? `E_COMMAND_NOT_FOUND: not executable: ${spec.command}`
            : `E_RUNTIME: cannot start ${spec.command}: ${err.message}`;
      try {
        appendFileSync(path, noteLine(why));
      } catch {
        // ignore
      }
      this.#fail(dep, r, why);
    });
    if (child.pid === undefined) return; // 'error' follows
    r.pid = child.pid;
    r.pgid = child.pid;
    r.startTicks = readStat(child.pid)?.startTicks;
    child.once('exit', (code, signal) => {
      if (spawnFailed) return;
      this.#onProcessExit(dep, r, code, signal);
    });
    this.#log.info({ ...dep.ref, replica: r.index, pid: r.pid, port }, 'replica started');
    this.#persist();
    this.#armStartup(dep, r);
    this.#changed();
  }

  #armStartup(dep: Deployment, r: Replica): void {
    const timeout = dep.md.spec.health?.startupTimeout ?? this.#t.startupTimeoutMs;
    const elapsed = Date.now() - r.startedAt;
    clearTimeout(r.startupTimer);
    r.startupTimer = setTimeout(() => {
      r.startupTimer = undefined;
      if (r.stopping || r.everReady || r.pid === undefined) return;
      const why = `E_STARTUP_TIMEOUT: not ready within ${Math.round(timeout / 100) / 10}s; restarting`;
      this.#log.warn({ ...dep.ref, replica: r.index }, why);
      void this.#restartAfterFailure(dep, r, why);
    }, Math.max(0, timeout - elapsed));
    r.startupTimer.unref();
    this.#scheduleProbe(dep, r, 0);
  }

  // ---- probes -------------------------------------------------------------------------------------

  #periodMs(dep: Deployment): number {
    const p = dep.md.spec.health?.readinessProbe?.periodSeconds;
    return p !== undefined ? p * 1000 : this.#t.probePeriodMs;
  }

  #scheduleProbe(dep: Deployment, r: Replica, delay: number): void {
    clearTimeout(r.timer);
    r.timer = setTimeout(() => {
      r.timer = undefined;
      void this.#probe(dep, r);
    }, delay);
    r.timer.unref();
  }

  async #probe(dep: Deployment, r: Replica): Promise<void> {
    if (r.stopping || this.#closed || r.pid === undefined || r.port === undefined) return;
    if (r.probing) {
      // A probe of the previous process is still out; try again shortly rather than lose the chain.
      this.#scheduleProbe(dep, r, this.#t.startupProbeMs);
      return;
    }
    // An adopted replica is not our child: no 'exit' event, so notice its death here.
    if (!r.child && !isAlive(r.pid)) {
      this.#onProcessExit(dep, r, null, null);
      return;
    }
    r.probing = true;
    const base = `http://${this.#urlHost()}:${r.port}`;
    const hp = dep.md.spec.health;
    const readinessPath = hp?.readinessProbe?.httpGet?.path ?? dep.launcher.readinessPath;
    const livenessPath = hp?.livenessProbe?.httpGet?.path ?? dep.launcher.livenessPath;
    const timeout = (hp?.readinessProbe?.timeoutSeconds ?? this.#t.probeTimeoutMs / 1000) * 1000;
    const ok = await probeOk(`${base}${readinessPath}`, timeout);
    const live = !r.everReady ? true : livenessPath === readinessPath ? ok : await probeOk(`${base}${livenessPath}`, timeout);
    r.probing = false;
    if (r.stopping || this.#closed || r.pid === undefined) return;
    if (r.cmdline === undefined && ok) {
      // Exec has certainly happened once the server answers: record its real command line.
      r.cmdline = readCmdline(r.pid);
      this.#persist();
    }
    const readyThreshold = hp?.readinessProbe?.failureThreshold ?? 3;
    const liveThreshold = hp?.livenessProbe?.failureThreshold ?? 3;
    if (ok) {
      r.readinessFailures = 0;
      if (r.phase !== 'Ready') {
        const first = !r.everReady;
        r.everReady = true;
        clearTimeout(r.startupTimer);
        r.startupTimer = undefined;
        this.#setPhase(r, 'Ready', undefined);
        if (first) this.#log.info({ ...dep.ref, replica: r.index, ms: Date.now() - r.startedAt }, 'replica ready');
        // Old replicas of a changed spec may go now.
        this.#scheduleReconcile();
      }
    } else if (r.everReady) {
      r.readinessFailures++;
      if (r.readinessFailures >= readyThreshold && r.phase === 'Ready') this.#setPhase(r, 'Unready', `readiness probe ${readinessPath} failed ${r.readinessFailures} times`);
    }
    if (r.everReady) {
      r.livenessFailures = live ? 0 : r.livenessFailures + 1;
      if (r.livenessFailures >= liveThreshold) {
        void this.#restartAfterFailure(dep, r, `E_LIVENESS: liveness probe ${livenessPath} failed ${r.livenessFailures} times; restarting`);
        return;
      }
    }
    const startupPeriod = Date.now() - r.startedAt < 3000 ? this.#t.startupProbeMs : Math.max(this.#t.startupProbeMs, 500);
    this.#scheduleProbe(dep, r, r.everReady ? this.#periodMs(dep) : startupPeriod);
  }

  // ---- failures and restarts ----------------------------------------------------------------------

  #onProcessExit(dep: Deployment, r: Replica, code: number | null, signal: NodeJS.Signals | null): void {
    const pgid = r.pgid;
    r.child = undefined;
    r.pid = undefined;
    r.pgid = undefined;
    r.cmdline = undefined;
    clearTimeout(r.timer);
    r.timer = undefined;
    clearTimeout(r.startupTimer);
    r.startupTimer = undefined;
    // The leader is gone; its workers must not outlive it.
    if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
    if (r.port !== undefined) this.#reservedPorts.delete(r.port);
    this.#persist();
    const done = r.exited;
    r.exited = undefined;
    done?.();
    if (r.stopping || r.expectExit) return;
    const ranFor = Date.now() - r.startedAt;
    const lines = tailLines(logPath(this.stateDir, dep.ref.namespace, dep.ref.name, r.index), LAST_LOG_LINES);
    const how = code !== null ? `exited with code ${code}` : signal ? `killed by ${signal}` : 'exited';
    let why = `${how} after ${(ranFor / 1000).toFixed(1)}s`;
    if (looksLikePortInUse(lines) && !r.everReady) {
      r.portTaken = true;
      why = `E_PORT_IN_USE: port ${r.port} was taken by another process; retrying on another port (${how})`;
    }
    r.lastLog = lines;
    this.#log.warn({ ...dep.ref, replica: r.index, code, signal, ranForMs: ranFor }, `replica ${how}`);
    r.failures = failuresAfterExit(r.failures, ranFor, this.#t.stableMs);
    r.restarts++;
    const delay = restartDelay(r.failures, this.#t.backoffInitialMs, this.#t.backoffMaxMs);
    // A crash shortly after a long healthy run is a restart, not yet a loop; quick repeated exits
    // (or exiting before ever being ready) are a crash loop.
    const phase: ReplicaPhase = r.failures >= 2 || !r.everReady ? 'CrashLoop' : 'Starting';
    this.#setPhase(r, phase, `${phase === 'CrashLoop' ? 'E_CRASH_LOOP: ' : ''}${why}; restart ${r.restarts} in ${Math.round(delay / 100) / 10}s`);
    r.everReady = false;
    this.#retryLater(dep, r, delay);
  }

  /** Kills a live replica that failed (startup timeout, liveness) and restarts it with back-off. */
  async #restartAfterFailure(dep: Deployment, r: Replica, why: string): Promise<void> {
    if (r.stopping || r.expectExit || r.pid === undefined) return;
    const ranFor = Date.now() - r.startedAt;
    r.lastLog = tailLines(logPath(this.stateDir, dep.ref.namespace, dep.ref.name, r.index), LAST_LOG_LINES);
    this.#setPhase(r, 'Failed', why);
    r.expectExit = true; // don't count the exit we cause as another crash
    clearTimeout(r.timer);
    r.timer = undefined;
    try {
      appendFileSync(logPath(this.stateDir, dep.ref.namespace, dep.ref.name, r.index), noteLine(why));
    } catch {
      // ignore
    }
    await this.#keepAliveWhile(() => this.#terminate(r, this.#t.terminationGraceMs));
    r.expectExit = false;
    if (this.#closed || r.stopping) return;
    if (r.port !== undefined) this.#reservedPorts.delete(r.port);
    r.failures = failuresAfterExit(r.failures, ranFor, this.#t.stableMs);
    r.restarts++;
    r.everReady = false;
    const delay = restartDelay(r.failures, this.#t.backoffInitialMs, this.#t.backoffMaxMs);
    this.#setPhase(r, r.failures >= 2 ? 'CrashLoop' : 'Failed', `${why}; restart ${r.restarts} in ${Math.round(delay / 100) / 10}s`);
    this.#retryLater(dep, r, delay);
  }

  #fail(dep: Deployment, r: Replica, why: string): void {
    r.failures++;
    const delay = restartDelay(r.failures, this.#t.backoffInitialMs, this.#t.backoffMaxMs);
    this.#setPhase(r, 'Failed', `${why}; retrying in ${Math.round(delay / 100) / 10}s`);
    this.#log.warn({ ...dep.ref, replica: r.index }, why);
    if (r.port !== undefined) this.#reservedPorts.delete(r.port);
    this.#retryLater(dep, r, delay);
  }

  #retryLater(dep: Deployment, r: Replica, delay: number): void {
    clearTimeout(r.timer);
    r.timer = setTimeout(() => {
      r.timer = undefined;
      if (r.stopping || this.#closed || dep.replicas.get(r.index) !== r) return;
      if (r.specHash !== dep.hash) {
        // The spec changed while it waited: a new replica replaces it.
        void this.#stop(dep, r, false);
        return;
      }
      void this.#launch(dep, r);
    }, delay);
    r.timer.unref();
  }

  // ---- stopping -----------------------------------------------------------------------------------

  /** Drains (optionally) and stops a replica, releases its GPUs and port, and forgets it. */
  #stop(dep: Deployment, r: Replica, drain: boolean, keepRecord = false): Promise<void> {
    if (r.stopped) return r.stopped;
    r.stopping = true;
    clearTimeout(r.timer);
    r.timer = undefined;
    clearTimeout(r.startupTimer);
    r.startupTimer = undefined;
    r.stopped = this.#keepAliveWhile(async () => {
      if (r.pid !== undefined) {
        const wasReady = r.phase === 'Ready';
        this.#setPhase(r, 'Draining', drain ? 'draining in-flight requests' : undefined);
        if (drain && wasReady) await this.#drain(dep, r);
        this.#setPhase(r, 'Terminating', undefined);
        await this.#terminate(r, this.#t.terminationGraceMs);
      }
      if (r.port !== undefined) this.#reservedPorts.delete(r.port);
      this.#gpus.release(r.id + '@' + key(dep.ref));
      if (!keepRecord && dep.replicas.get(r.index) === r) dep.replicas.delete(r.index);
      this.#persist();
      this.#changed();
      this.#scheduleReconcile();
    });
    return r.stopped;
  }

  async #drain(dep: Deployment, r: Replica): Promise<void> {
    const endpoint: Endpoint = {
      ...dep.ref,
      servedModelName: servedModelName(dep.md),
      replicaId: r.id,
      url: `http://${this.#urlHost()}:${r.port}`,
    };
    const metricsPath = dep.launcher.metricsPath;
    const deadline = Date.now() + this.#t.drainTimeoutMs;
    // Let the endpoint change reach the gateway before counting what is left in flight.
    await sleep(50);
    let measured = false;
    while (Date.now() < deadline && !this.#closed) {
      let inFlight: number | undefined;
      if (metricsPath !== undefined) {
        try {
          const res = await httpGet(`${endpoint.url}${metricsPath}`, this.#t.probeTimeoutMs);
          if (res.status === 200) inFlight = loadFromMetrics(dep.launcher.metricsFormat, res.body);
        } catch {
          // unreachable: it cannot be serving anything either
          inFlight = 0;
        }
      }
      const gw = this.#o.inFlight?.(endpoint);
      if (gw !== undefined) inFlight = Math.max(inFlight ?? 0, gw);
      if (inFlight === undefined) break;
      measured = true;
      if (inFlight === 0) return;
      await sleep(250);
    }
    if (!measured) await sleep(this.#t.noMetricsDrainMs);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; resolves when no process of the group is left. */
  async #terminate(r: Replica, graceMs: number): Promise<void> {
    const pgid = r.pgid;
    if (pgid === undefined) return;
    const exited = new Promise<void>((res) => {
      r.exited = res;
    });
    let leaderExited = false;
    void exited.then(() => (leaderExited = true));
    signalGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) {
      // Wake on the leader's exit; after it, poll for the rest of the group at a gentle pace.
      await (leaderExited ? sleep(50) : Promise.race([exited, sleep(100)]));
    }
    if (groupAlive(pgid)) {
      this.#log.warn({ replica: r.id, pgid }, `replica ignored SIGTERM for ${graceMs} ms: SIGKILL`);
      signalGroup(pgid, 'SIGKILL');
      const hard = Date.now() + 5000;
      while (groupAlive(pgid) && Date.now() < hard) await sleep(20);
    }
    // An adopted replica is no child of ours: no 'exit' event comes.
    if (r.pid !== undefined && !r.child) {
      r.pid = undefined;
      r.pgid = undefined;
      r.exited = undefined;
      this.#persist();
    } else if (r.child) {
      await Promise.race([exited, sleep(1000)]);
    }
  }

  /**
   * Runs a stop to its end even when nothing else holds the event loop: the supervisor's timers
   * and children are unref'd (it must not keep an application alive), so without this an
   * application that awaits close() as its last act would exit half-way and leave the state
   * file and lock behind.
   */
  async #keepAliveWhile<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#busyCount++ === 0) this.#busyTimer = setInterval(() => undefined, 60_000);
    try {
      return await fn();
    } finally {
      if (--this.#busyCount === 0) {
        clearInterval(this.#busyTimer);
        this.#busyTimer = undefined;
      }
    }
  }

  /** Last resort on process exit: synchronous SIGKILL to every replica group. */
  #killAllNow(): void {
    for (const dep of this.#deps.values()) for (const r of dep.replicas.values()) if (r.pgid !== undefined) signalGroup(r.pgid, 'SIGKILL');
  }

  // ---- restart: adoption ----------------------------------------------------------------------------

  #restoreDeployment(rec: DeploymentRecord): void {
    const md = rec.deployment as unknown as LocalModelDeployment;
    const ref = { namespace: md.metadata.namespace, name: md.metadata.name };
    let launcher: ReplicaLauncher;
    try {
      launcher = this.#launcherFor(md);
    } catch (err) {
      this.#log.warn({ ...ref, err: (err as Error).message }, 'cannot restore deployment from state');
      return;
    }
    this.#deps.set(key(ref), { ref, md, hash: rec.specHash, desired: rec.desired, launcher, replicas: new Map(), history: [], deleted: false });
  }

  /** Takes over a replica left by a previous supervisor if it is provably the same process and spec. */
  #adopt(rec: ReplicaRecord): boolean {
    const dep = this.#deps.get(key(rec));
    if (!dep || dep.hash !== rec.specHash || dep.replicas.has(rec.index)) return false;
    if (!isAlive(rec.pid)) return false;
    const stat = readStat(rec.pid);
    if (!stat || stat.pgid !== rec.pgid || (rec.startTicks !== undefined && stat.startTicks !== rec.startTicks)) return false;
    if (readEnviron(rec.pid)?.get(ENV_REPLICA_UID) !== rec.uid) return false;
    if (rec.cmdline !== undefined && JSON.stringify(readCmdline(rec.pid)) !== JSON.stringify(rec.cmdline)) return false;
    const id = `${rec.name}-${rec.index}`;
    if (!this.#gpus.claim(id + '@' + key(rec), rec.gpus)) return false;
    const r: Replica = {
      index: rec.index,
      id,
      specHash: rec.specHash,
      phase: 'Starting',
      reason: 'adopted after supervisor restart; probing',
      restarts: rec.restarts,
      failures: 0,
      gpus: rec.gpus,
      gpusHeld: true,
      port: rec.port,
      uid: rec.uid,
      pid: rec.pid,
      pgid: rec.pgid,
      ...(rec.startTicks !== undefined ? { startTicks: rec.startTicks } : {}),
      ...(rec.cmdline !== undefined ? { cmdline: rec.cmdline } : {}),
      startedAt: Date.now(),
      everReady: false,
      readinessFailures: 0,
      livenessFailures: 0,
      stopping: false,
      probing: false,
      expectExit: false,
    };
    dep.replicas.set(rec.index, r);
    this.#reservedPorts.add(rec.port);
    this.#log.info({ namespace: rec.namespace, name: rec.name, replica: rec.index, pid: rec.pid }, 'adopted replica');
    this.#armStartup(dep, r);
    return true;
  }

  /** Stops a process group left from a previous run that is not adopted (if it is still ours). */
  #cleanupStale(pgid: number, uid: string | undefined, what: string): void {
    if (!groupAlive(pgid)) return;
    if (uid !== undefined) {
      // Only kill what is provably ours: the group leader must carry the recorded uid.
      const env = readEnviron(pgid);
      if (env?.get(ENV_REPLICA_UID) !== uid) return;
    } else {
      const env = readEnviron(pgid);
      if (env?.get(ENV_STATE_DIR) !== this.stateDir || !env.has(ENV_REPLICA_UID)) return;
    }
    this.#log.warn({ pgid, what }, 'stopping stale replica left by a previous supervisor');
    const fake = { pgid } as Replica;
    this.#cleanups.push(this.#keepAliveWhile(() => this.#terminate(fake, this.#t.terminationGraceMs)));
  }

  // ---- autoscaling ----------------------------------------------------------------------------------

  async #autoscaleTick(): Promise<void> {
    for (const dep of this.#deps.values()) {
      if (dep.deleted || !this.#autoscaled(dep) || dep.desired === 0) continue;
      const s = dep.md.spec.scaling;
      if (!s) continue;
      const ready = [...dep.replicas.values()].filter((r) => r.phase === 'Ready' && !r.stopping && r.port !== undefined);
      if (ready.length === 0) continue;
      const loads = await Promise.all(ready.map((r) => this.#replicaLoad(dep, r)));
      const known = loads.filter((l): l is number => l !== undefined);
      if (known.length === 0) {
        dep.autoscaleMessage = 'autoscaling paused: replicas report no load metrics';
        continue;
      }
      // Replicas that did not report are assumed as loaded as the average of those that did.
      const load = (known.reduce((a, b) => a + b, 0) / known.length) * ready.length;
      const d = decideReplicas({
        current: dep.desired,
        min: s.minReplicas,
        max: s.maxReplicas,
        target: targetInFlight(dep.md),
        load,
        now: Date.now(),
        windowMs: s.stabilizationWindow ?? DEFAULT_STABILIZATION_WINDOW_MS,
        history: dep.history,
      });
      dep.history = d.history;
      dep.autoscaleMessage = undefined;
      if (d.replicas !== dep.desired && !dep.deleted && !this.#closed) {
        this.#log.info({ ...dep.ref, from: dep.desired, to: d.replicas, load }, `autoscale: ${d.reason}`);
        dep.desired = d.replicas;
        this.#persist();
        this.#scheduleReconcile();
        this.#changed();
      }
    }
  }

  async #replicaLoad(dep: Deployment, r: Replica): Promise<number | undefined> {
    const url = `http://${this.#urlHost()}:${r.port}`;
    const path = dep.launcher.metricsPath;
    if (path !== undefined) {
      try {
        const res = await httpGet(`${url}${path}`, this.#t.probeTimeoutMs);
        const load = res.status === 200 ? loadFromMetrics(dep.launcher.metricsFormat, res.body) : undefined;
        if (load !== undefined) return load;
      } catch {
        // fall through to the gateway's count
      }
    }
    return this.#o.inFlight?.({ ...dep.ref, servedModelName: servedModelName(dep.md), replicaId: r.id, url });
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------

  #rotateLogs(): void {
    const max = this.#o.logRotation?.maxBytes ?? 10 * 1024 * 1024;
    const keep = this.#o.logRotation?.keep ?? 5;
    for (const dep of this.#deps.values()) {
      for (const r of dep.replicas.values()) {
        try {
          rotateIfNeeded(logPath(this.stateDir, dep.ref.namespace, dep.ref.name, r.index), max, keep);
        } catch (err) {
          this.#log.warn({ replica: r.id, err: (err as Error).message }, 'log rotation failed');
        }
      }
    }
  }

  #setPhase(r: Replica, phase: ReplicaPhase, reason: string | undefined): void {
    if (r.phase === phase && r.reason === reason) return;
    r.phase = phase;
    if (reason === undefined) delete r.reason;
    else r.reason = reason;
    if (phase === 'Ready') delete r.lastLog;
    this.#changed();
  }

  #changed(): void {
    this.#endpoints = undefined;
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    // Coalesced: twenty replicas turning Ready in one tick make one notification.
    setImmediate(() => {
      this.#notifyScheduled = false;
      for (const l of [...this.#listeners]) {
        try {
          l();
        } catch (err) {
          this.#log.error({ err: (err as Error).message }, 'onChange listener threw');
        }
      }
    });
  }

  #persist(): void {
    const state: StateFile = { version: 1, deployments: [], replicas: [] };
    for (const dep of this.#deps.values()) {
      if (!dep.deleted) state.deployments.push({ deployment: dep.md, specHash: dep.hash, desired: dep.desired });
      for (const r of dep.replicas.values()) {
        if (r.pid === undefined || r.pgid === undefined || r.uid === undefined || r.port === undefined) continue;
        state.replicas.push({
          ...dep.ref,
          index: r.index,
          uid: r.uid,
          pid: r.pid,
          pgid: r.pgid,
          port: r.port,
          host: this.#host,
          specHash: r.specHash,
          startedAt: r.startedAt,
          ...(r.startTicks !== undefined ? { startTicks: r.startTicks } : {}),
          ...(r.cmdline !== undefined ? { cmdline: r.cmdline } : {}),
          gpus: r.gpus,
          restarts: r.restarts,
        });
      }
    }
    try {
      writeState(this.stateDir, state);
    } catch (err) {
      this.#log.error({ err: (err as Error).message, stateDir: this.stateDir }, 'cannot write runtime state');
    }
  }

  #statusOf(dep: Deployment): DeploymentStatus {
    const replicas: ReplicaStatus[] = [...dep.replicas.values()]
      .sort((a, b) => a.index - b.index)
      .map((r) => ({
        id: r.id,
        index: r.index,
        phase: r.phase,
        restarts: r.restarts,
        ...(r.port !== undefined && r.pid !== undefined ? { url: `http://${this.#urlHost()}:${r.port}` } : {}),
        ...(r.pid !== undefined ? { pid: r.pid } : {}),
        ...(r.gpus.length > 0 ? { gpus: [...r.gpus] } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        ...(r.lastLog !== undefined && r.lastLog.length > 0 ? { lastLog: [...r.lastLog] } : {}),
      }));
    const { health, message } = rollupHealth({
      deployed: true,
      desired: dep.desired,
      replicas: [...dep.replicas.values()].map((r) => ({
        phase: r.phase,
        current: r.specHash === dep.hash && !r.stopping,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      })),
    });
    return {
      ...dep.ref,
      health,
      message: dep.autoscaleMessage ? `${message}; ${dep.autoscaleMessage}` : message,
      desiredReplicas: dep.desired,
      readyReplicas: [...dep.replicas.values()].filter((r) => r.phase === 'Ready' && r.specHash === dep.hash && !r.stopping).length,
      replicas,
      specHash: dep.hash,
    };
  }

  #launcherFor(md: ModelDeployment): ReplicaLauncher {
    return (this.#o.launcherFor ?? frameworkLauncherFor)(md);
  }

  #urlHost(): string {
    if (this.#host === '0.0.0.0' || this.#host === '') return '127.0.0.1';
    if (this.#host === '::') return '[::1]';
    return this.#host.includes(':') ? `[${this.#host}]` : this.#host;
  }
}

function closedError(): PloydError {
  return new PloydError('E_RUNTIME', 'local runtime is closed');
}

async function probeOk(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await httpGet(url, timeoutMs, 64 * 1024);
    return res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms).unref());
}
