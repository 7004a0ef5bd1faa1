import { createHash } from 'node:crypto';
import { isPloydError, PloydError, type Diagnostic, type ErrorCode } from '../errors/index.ts';
import { rootLogger, type Logger } from '../log/index.ts';
import { Application as ApplicationSchema, hasSyncOption, type Application, type Hook, type ModelDeployment } from '../resources/index.ts';
import type { HealthStatus, Runtime } from '../runtime/index.ts';
import type { Actor, Ployd } from '../sdk/index.ts';
import type { ApplicationRecord, ApplicationValues, Store } from '../store/index.ts';
import type { AppState, OperationState, ResourceStatus } from './app-state.ts';
import { backoffDelay, SELF_HEAL_BACKOFF, SYNC_RETRY_BACKOFF } from './backoff.ts';
import { environmentOf, readCatalog, renderApplication, type DesiredResource, type DesiredState } from './desired.ts';
import { diffResources, keyString, syncStatusOf, type Json, type ResourceDiff, type ResourceKey } from './diff.ts';
import { Poller, type GitSource } from './git/index.ts';
import { rollUpHealth } from './health.ts';
import { runHook, type HookResult } from './hooks.ts';
import { ignoreRulesOf } from './ignore.ts';
import { applyResource, CONFIG_KINDS, deleteResource, DEFERRED_KINDS, MANAGED_KINDS, readLive, resourceHealth } from './live.ts';
import type { LeaderElector } from './leader.ts';
import { ControllerMetrics } from './metrics.ts';
import { deletionOrder, planSync, type PlanStep } from './plan.ts';
import { groupOf, projectViolations } from './project-check.ts';
import { finalizersOf, removalDecision } from './removal.ts';

export interface ControllerOptions {
  readonly ployd: Ployd;
  readonly store: Store;
  readonly source: GitSource;
  readonly logger?: Logger;
  /** The runtime, to re-check health when replicas change (optional). */
  readonly runtime?: Runtime;
  /** GPUs available for gpuCapacity hooks. */
  readonly gpuCount?: (type?: string) => number;
  /** Gateway and key for smokeTest hooks. */
  readonly gateway?: { readonly url: string; readonly apiKey: string };
  /** Poll interval of remote repos (default 60 s, ±10 % jitter); local repos are also watched. */
  readonly pollIntervalMs?: number;
  /** Re-compare every app this often even when nothing changed (default 30 s). */
  readonly resyncIntervalMs?: number;
  /** First self-heal waits this long after drift is seen, then backs off (default Argo-like 5 s ×2). */
  readonly selfHealBackoff?: { base: number; factor: number; max: number };
  readonly retryBackoff?: { base: number; factor: number; max: number };
  /** How long a wave may take to become Healthy (default 5 min). */
  readonly healthTimeoutMs?: number;
  /** Apps reconciled at once (default 8). */
  readonly concurrency?: number;
  readonly metrics?: ControllerMetrics;
  /** With Postgres: only the holder of the advisory lock acts; others wait to take over. */
  readonly leaderElection?: LeaderElector;
  /** How often a standby (or a deposed leader) tries to take the lock (default 2 s). */
  readonly leaderRetryMs?: number;
  readonly now?: () => number;
}

/** What `ployd app get/list` shows. */
export interface ApplicationView {
  readonly name: string;
  readonly project: string;
  readonly environment: string;
  readonly path: string;
  readonly syncStatus: string;
  readonly healthStatus: string;
  readonly revision: string | null;
  readonly targetRevision?: string;
  readonly autoSync: boolean;
  readonly selfHeal: boolean;
  readonly prune: boolean;
  readonly manual: boolean;
  readonly pinnedRevision?: string;
  readonly operation?: { readonly phase: string; readonly revision: string; readonly step: number; readonly steps: number; readonly current?: string };
  readonly lastOperation?: AppState['lastOperation'];
  readonly conditions: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  readonly resources: readonly ResourceStatus[];
}

export interface HistoryEntry {
  readonly id: number;
  readonly revision: string | null;
  readonly author?: string;
  readonly message?: string;
  readonly phase: string;
  readonly result?: string | null;
  readonly initiatedBy: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly resources: unknown[];
}

export interface SyncRequest {
  readonly actor: Actor;
  /** A revision to sync to (default the app's target). */
  readonly revision?: string;
  /** Prune even when the app's policy does not. */
  readonly prune?: boolean;
  /** Clear a rollback pin and turn auto-sync back on. */
  readonly resumeAutoSync?: boolean;
}

const GITOPS_SUBJECT = 'system:gitops';
/** During a long sync, progress is written at least this often (what `ployd app get` shows). */
const PROGRESS_MS = 1_000;

/** `managed` after an operation's applies and prunes (idempotent: replaying them changes nothing). */
function withManaged(s: AppState, applied: OperationState['applied']): AppState {
  if (applied.length === 0) return s;
  const keys = new Map((s.managed ?? []).map((k) => [keyString(k), k]));
  for (const a of applied) {
    const k = { kind: a.kind, namespace: a.namespace, name: a.name };
    if (a.action === 'pruned') keys.delete(keyString(k));
    else if ((MANAGED_KINDS as readonly string[]).includes(a.kind)) keys.set(keyString(k), k);
  }
  return { ...s, managed: [...keys.values()] };
}

function stateOf(rec: ApplicationRecord): AppState {
  return (rec.operation ?? {});
}

function appOf(rec: ApplicationRecord): Application {
  return rec.spec as Application;
}

function describeStep(s: PlanStep): string {
  if (s.type === 'hooks') return `${s.phase} hooks`;
  if (s.type === 'wait-healthy') return `wait for wave ${s.wave} to be Healthy`;
  return `${s.type} wave ${s.wave ?? 'last'}: ${s.keys.map((k) => `${k.kind}/${k.name}`).join(', ')}`;
}

/**
 * The GitOps controller: keeps every Application's live state (through the SDK) equal to its
 * desired state (Git), Argo CD style. Level-triggered: anything that may have changed enqueues the
 * app; a worker recomputes everything from Git and the store. One worker per app at a time.
 */
export class Controller {
  readonly #o: ControllerOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly metrics: ControllerMetrics;
  readonly #queue = new Map<string, { running: boolean; dirty: boolean; timer?: NodeJS.Timeout | undefined }>();
  readonly #waiters = new Set<() => void>();
  #active = 0;
  readonly #pending: string[] = [];
  #headCache = new Map<string, string>();
  #verified = new Map<string, string | undefined>();
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  #timers: NodeJS.Timeout[] = [];
  #poller: Poller | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Not acting: not started, stopped, or not the leader. */
  #stopped = true;
  /** stop() was called: do not campaign again. */
  #closed = true;
  #epoch = 0;
  #lastError: string | undefined;
  /** The Applications of the last head revision read in full; undefined until then. */
  #head: { readonly sha: string; readonly apps: ReadonlySet<string> } | undefined;
  /**
   * The last application record this controller read or wrote, per app. Writes are
   * compare-and-set on resourceVersion, so a stale entry costs one E_CONFLICT and a re-read, never
   * a lost update; it saves a read before every status write. A reconcile starts from a fresh read.
   */
  readonly #known = new Map<string, ApplicationRecord>();

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? rootLogger()).child({ component: 'controller' });
    this.#now = options.now ?? Date.now;
    this.metrics = options.metrics ?? new ControllerMetrics();
  }

  /**
   * Starts watching Git (fs watch for local repos, polling with jitter) and reconciling. With
   * leader election it first campaigns (resolving once elected, or when stopped); a leader that
   * loses the lock stops acting at once and campaigns again, so a standby is always there.
   */
  async start(): Promise<void> {
    this.#closed = false;
    const elector = this.#o.leaderElection;
    if (elector) {
      const elected = await this.#campaign(elector);
      if (!elected) return;
    }
    await this.#startActing();
  }

  /** Waits for the lock; false when the controller was stopped first. */
  async #campaign(elector: LeaderElector): Promise<boolean> {
    await elector
      .acquire({ intervalMs: this.#o.leaderRetryMs ?? 2000, onLost: () => void this.#onLeadershipLost(elector) })
      .catch((e: unknown) => {
        if (!this.#closed) throw e;
      });
    return !this.#closed && elector.isLeader;
  }

  async #onLeadershipLost(elector: LeaderElector): Promise<void> {
    this.#log.warn('controller: stepping down; campaigning again');
    await this.#stopActing();
    // A deposed leader lost its session for a reason (network, overload): standbys, polling every
    // interval, get two intervals to take over before it competes again.
    await new Promise((r) => setTimeout(r, 2 * (this.#o.leaderRetryMs ?? 2000)).unref());
    if (this.#closed) return;
    if (await this.#campaign(elector).catch(() => false)) await this.#startActing();
  }

  async #startActing(): Promise<void> {
    this.#stopped = false;
    const epoch = ++this.#epoch;
    // Leadership may be lost (and acting stopped) while this runs: set nothing up after that.
    const current = (): boolean => epoch === this.#epoch && !this.#stopped;
    await this.refresh();
    if (!current()) return;
    await this.#resumeOperations();
    if (!current()) return;
    this.#o.source.watch(() => void this.refresh());
    this.#poller = new Poller({ ...(this.#o.pollIntervalMs !== undefined ? { intervalMs: this.#o.pollIntervalMs } : {}), tick: () => this.refresh() });
    this.#poller.start();
    const resync = setInterval(() => void this.enqueueAll(), this.#o.resyncIntervalMs ?? 30_000);
    resync.unref();
    this.#timers.push(resync);
    let debounce: NodeJS.Timeout | undefined;
    const off = this.#o.runtime?.onChange(() => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void this.#onRuntimeChange(), 100);
    });
    this.#unsubscribe = () => {
      clearTimeout(debounce);
      off?.();
    };
  }

  /** Stops timers and watches, waits for running workers to finish their current step, and releases the lock. */
  async stop(): Promise<void> {
    this.#closed = true;
    await this.#stopActing();
    await this.#o.leaderElection?.release();
  }

  /** Stops acting: timers, watches, queued work; running workers end at their next step. */
  async #stopActing(): Promise<void> {
    this.#stopped = true;
    this.#epoch++;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    this.#poller?.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#o.source.close();
    // Forget queued work too: acting again (a new election) starts with a full pass over every app.
    for (const q of this.#queue.values()) {
      clearTimeout(q.timer);
      q.dirty = false;
    }
    this.#pending.length = 0;
    while (this.#active > 0) await new Promise((r) => setTimeout(r, 20));
  }

  #requireLeader(): void {
    if (this.#o.leaderElection && !this.#o.leaderElection.isLeader) {
      throw new PloydError('E_NOT_LEADER', 'this controller is a standby: syncs and rollbacks are done by the leader', {});
    }
  }

  /** Whether this controller may act (always, without leader election). */
  get isLeader(): boolean {
    return this.#o.leaderElection ? this.#o.leaderElection.isLeader : !this.#stopped;
  }

  /** Which app owns a deployment (`namespace/name`), learned from desired state. */
  readonly #owner = new Map<string, string>();
  readonly #lastHealth = new Map<string, string>();

  /** Re-checks only the apps whose deployments changed health (not every app on every change). */
  async #onRuntimeChange(): Promise<void> {
    const runtime = this.#o.runtime;
    if (!runtime || this.#stopped) return;
    const statuses = await runtime.list().catch(() => []);
    for (const st of statuses) {
      const k = `${st.namespace}/${st.name}`;
      const h = `${st.health}:${st.readyReplicas}/${st.desiredReplicas}`;
      if (this.#lastHealth.get(k) === h) continue;
      this.#lastHealth.set(k, h);
      const app = this.#owner.get(k);
      if (app) this.enqueue(app);
    }
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * Reads Git: fetches, finds the Applications and Projects of the head revision, records them in
   * the store and enqueues every app. Concurrent calls coalesce into one more run.
   */
  refresh(): Promise<void> {
    // A standby writes nothing (app records, project roles): the leader reads Git.
    if (this.#o.leaderElection && this.#stopped) return Promise.resolve();
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        try {
          await this.#refreshOnce();
          this.#lastError = undefined;
        } catch (err) {
          this.#lastError = err instanceof Error ? err.message : String(err);
          this.#log.error({ err: this.#lastError }, 'controller: cannot read the repository');
        }
      } while (this.#refreshAgain && !this.#stopped);
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    const src = this.#o.source;
    await src.fetch();
    this.#headCache = new Map();
    const head = await this.#resolve('HEAD');
    const sigError = await this.#signatureError(head);
    if (sigError) {
      // Apps keep their state; each reports the refused revision when reconciled.
      this.#log.warn({ revision: head, err: sigError }, 'controller: head commit refused (signature)');
    }
    const tree = await src.tree(head);
    const catalog = readCatalog(tree);
    if (!sigError) {
      for (const [name, project] of catalog.projects) {
        const lines = await this.#o.ployd.security.getRbac(name).then(
          (r) => r.lines,
          () => undefined,
        );
        const actor = this.#actor(head);
        const applied = await this.#o.ployd.security.applyRbac(project, actor).catch((e: unknown) => {
          this.#log.warn({ project: name, err: e instanceof Error ? e.message : String(e) }, 'controller: project RBAC not applied');
          return undefined;
        });
        if (applied && JSON.stringify(applied.lines) !== JSON.stringify(lines)) this.#log.info({ project: name }, 'controller: project roles applied');
      }
      // One listing instead of a read per app: refresh stays one statement per changed app.
      const stored = new Map((await this.#listAllApps()).map((r) => [r.name, r]));
      const created: { name: string; values: ApplicationValues }[] = [];
      for (const { app, finalizers } of catalog.applications) {
        const values = this.#appValues(app, finalizers);
        const existing = stored.get(app.metadata.name);
        if (existing) await this.#updateApp(existing, values);
        else created.push({ name: app.metadata.name, values });
      }
      // New apps in a few multi-row statements (a repo of 1,000 apps starts with 1,000 of them).
      for (let i = 0; i < created.length; i += 500) for (const rec of await this.#o.store.applications.createMany(created.slice(i, i + 500))) this.#remember(rec);
    }
    // An app absent from a head read in full (and signed when required) was removed from Git.
    this.#head = !sigError && catalog.complete ? { sha: head, apps: new Set(catalog.applications.map((a) => a.app.metadata.name)) } : undefined;
    await this.enqueueAll();
  }

  #appValues(app: Application, finalizers: readonly string[]): ApplicationValues {
    // The manifest keeps the finalizers (the typed spec has none): they decide a cascading removal.
    const manifest = (finalizers.length > 0 ? { ...app, metadata: { ...app.metadata, finalizers } } : app) as unknown as Record<string, unknown>;
    return {
      project: app.spec.project,
      environment: environmentOf(app),
      spec: app,
      manifest,
      hash: createHash('sha256').update(JSON.stringify(manifest)).digest('hex'),
    };
  }

  /** Records a changed Application spec (compare-and-set from the record listed). */
  async #updateApp(existing: ApplicationRecord, values: ApplicationValues): Promise<void> {
    const apps = this.#o.store.applications;
    const name = existing.name;
    if (existing.hash !== values.hash) {
      let first = true;
      await this.#retryCas(async () => {
        const cur = first ? existing : await this.#read(name);
        first = false;
        this.#remember(await apps.update(name, cur?.resourceVersion ?? 0, values));
      });
    }
  }

  /** Keeps the newest record seen for an app (an older read finishing late never wins). */
  #remember(rec: ApplicationRecord): ApplicationRecord {
    const cur = this.#known.get(rec.name);
    if (!cur || cur.resourceVersion <= rec.resourceVersion) this.#known.set(rec.name, rec);
    return rec;
  }

  /** A fresh read from the store (and remembered). */
  async #read(name: string): Promise<ApplicationRecord | undefined> {
    const rec = await this.#o.store.applications.get(name);
    if (rec) this.#remember(rec);
    else this.#known.delete(name);
    return rec;
  }

  /** The record as this controller last saw it, read if it never did. */
  async #current(name: string): Promise<ApplicationRecord> {
    const rec = this.#known.get(name) ?? (await this.#read(name));
    if (!rec) throw new PloydError('E_NOT_FOUND', `application ${name} not found`, { application: name });
    return rec;
  }

  async #retryCas<T>(fn: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (!(isPloydError(e) && e.code === 'E_CONFLICT') || i > 20) throw e;
      }
    }
  }

  /**
   * Applies `change` to the app's state and writes it (one statement: compare-and-set against the
   * last record seen; on a conflict, reads afresh and re-applies `change`).
   */
  async #updateState(name: string, change: (s: AppState) => AppState, status: { syncStatus?: string; healthStatus?: string; revision?: string | null } = {}): Promise<AppState> {
    let fresh = false;
    return this.#retryCas(async () => {
      const rec = fresh ? await this.#read(name) : await this.#current(name);
      fresh = true;
      if (!rec) throw new PloydError('E_NOT_FOUND', `application ${name} not found`, { application: name });
      const next = change(stateOf(rec));
      this.#remember(await this.#o.store.applications.setStatus(name, rec.resourceVersion, { ...status, operation: next }));
      return next;
    });
  }

  async #resolve(revision: string): Promise<string> {
    let sha = this.#headCache.get(revision);
    if (!sha) {
      sha = await this.#o.source.resolve(revision);
      this.#headCache.set(revision, sha);
    }
    return sha;
  }

  async #signatureError(sha: string): Promise<string | undefined> {
    if (this.#verified.has(sha)) return this.#verified.get(sha);
    const err = await this.#o.source.verify(sha).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    this.#verified.set(sha, err);
    return err;
  }

  #actor(revision: string, subject = GITOPS_SUBJECT, groups: readonly string[] = ['role:admin']): Actor {
    return { subject, groups, via: 'gitops', commit: revision };
  }

  // --- work queue -------------------------------------------------------------------------------

  async enqueueAll(): Promise<void> {
    if (this.#stopped) return;
    const page = await this.#listAllApps().catch((e: unknown) => {
      this.#log.error({ err: e instanceof Error ? e.message : String(e) }, 'controller: cannot list applications');
      return [];
    });
    for (const a of page) this.enqueue(a.name);
  }

  async #listAllApps(): Promise<ApplicationRecord[]> {
    const out: ApplicationRecord[] = [];
    let cursor: string | undefined;
    do {
      const p = await this.#o.store.applications.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const r of p.items) out.push(this.#remember(r));
      cursor = p.nextCursor;
    } while (cursor !== undefined);
    return out;
  }

  /** Marks an app for reconciliation (after `delayMs`); at most one worker per app runs. */
  enqueue(name: string, delayMs = 0): void {
    if (this.#stopped) return;
    let q = this.#queue.get(name);
    if (!q) {
      q = { running: false, dirty: false };
      this.#queue.set(name, q);
    }
    if (delayMs > 0) {
      const entry = q;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        this.enqueue(name);
      }, delayMs);
      entry.timer.unref();
      return;
    }
    if (q.dirty) return;
    q.dirty = true;
    if (!q.running) this.#pending.push(name);
    this.#pump();
  }

  #pump(): void {
    const limit = this.#o.concurrency ?? 8;
    while (this.#active < limit && this.#pending.length > 0) {
      const name = this.#pending.shift() as string;
      const q = this.#queue.get(name);
      if (!q || q.running || !q.dirty) continue;
      q.running = true;
      q.dirty = false;
      this.#active++;
      void this.#work(name).finally(() => {
        this.#active--;
        q.running = false;
        if (q.dirty && !this.#stopped) this.#pending.push(name);
        if (this.#active === 0 && this.#pending.length === 0) for (const w of this.#waiters) w();
        this.#pump();
      });
    }
  }

  /** Resolves when no worker runs and none is queued (tests and benches). */
  idle(): Promise<void> {
    if (this.#active === 0 && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const w = (): void => {
        this.#waiters.delete(w);
        resolve();
      };
      this.#waiters.add(w);
    });
  }

  async #work(name: string): Promise<void> {
    const started = performance.now();
    try {
      await this.reconcile(name);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#log.error({ application: name, err: message }, 'controller: reconcile failed');
      this.enqueue(name, 5_000);
    } finally {
      this.metrics.reconcileSeconds.observe((performance.now() - started) / 1000);
    }
  }

  async #resumeOperations(): Promise<void> {
    for (const rec of await this.#listAllApps()) {
      if (stateOf(rec).operation) {
        this.#log.info({ application: rec.name, step: stateOf(rec).operation?.step }, 'controller: resuming an interrupted sync');
        this.enqueue(rec.name);
      }
    }
  }

  // --- reconcile --------------------------------------------------------------------------------

  /** Desired state of an app at a revision (signature checked, rendered, validated, project-checked). */
  readonly #desiredCache = new Map<string, DesiredState>();

  /** Desired state per (revision, app spec): a commit's tree never changes, so neither does this. */
  async desiredAt(app: Application, revision: string): Promise<DesiredState> {
    const key = `${revision}:${createHash('sha256').update(JSON.stringify(app)).digest('hex')}`;
    const hit = this.#desiredCache.get(key);
    if (hit) return hit;
    const d = await this.#computeDesired(app, revision);
    this.#desiredCache.set(key, d);
    if (this.#desiredCache.size > 10_000) this.#desiredCache.delete(this.#desiredCache.keys().next().value as string);
    return d;
  }

  async #computeDesired(app: Application, revision: string): Promise<DesiredState> {
    const sig = await this.#signatureError(revision);
    if (sig) return { resources: [], diagnostics: [{ severity: 'error', code: 'E_SIGNATURE', message: sig }] };
    const tree = await this.#o.source.tree(revision);
    const rendered = renderApplication(tree, app);
    // The validator reports these too when the app's path holds the Application itself: once is enough.
    const ignore = ignoreRulesOf(app).diagnostics.filter((i) => !rendered.diagnostics.some((d) => d.code === i.code && d.path === i.path));
    const desired = ignore.length > 0 ? { ...rendered, diagnostics: [...rendered.diagnostics, ...ignore] } : rendered;
    const catalog = readCatalog(tree);
    const project = catalog.projects.get(app.spec.project) ?? readCatalog(await this.#o.source.tree(await this.#resolve('HEAD'))).projects.get(app.spec.project);
    const kinds = desired.resources.map((r) => ({ group: groupOf(typeof r.manifest.apiVersion === 'string' ? r.manifest.apiVersion : ''), kind: r.key.kind, name: r.key.name }));
    const violations = projectViolations(project, app, this.#o.source.url, environmentOf(app), kinds);
    if (violations.length === 0) return desired;
    return { ...desired, diagnostics: [...desired.diagnostics, ...violations.map((message): Diagnostic => ({ severity: 'error', code: 'E_PROJECT_DENIED', message }))] };
  }

  async #compare(app: Application, desired: DesiredState, applied: OperationState['applied'] = []): Promise<{ diffs: ResourceDiff[]; resources: ResourceStatus[]; health: HealthStatus }> {
    const desiredMap = new Map<string, { key: ResourceKey; value: Json; group: string }>();
    const other: ResourceStatus[] = [];
    for (const r of desired.resources) {
      if (r.key.kind === 'ModelDeployment') this.#owner.set(`${r.key.namespace}/${r.key.name}`, app.metadata.name);
      if ((MANAGED_KINDS as readonly string[]).includes(r.key.kind)) desiredMap.set(keyString(r.key), { key: r.key, value: r.value, group: groupOf(typeof r.manifest.apiVersion === 'string' ? r.manifest.apiVersion : '') });
      else if (DEFERRED_KINDS.has(r.key.kind)) other.push({ ...r.key, status: 'Deferred', message: `${r.key.kind} is recorded; the local controller does not act on it yet` });
      else if (!CONFIG_KINDS.has(r.key.kind)) other.push({ ...r.key, status: 'NotActionable', message: `${r.key.kind} is a Kubernetes kind: the local runtime cannot act on it` });
    }
    const managed = withManaged(stateOf(await this.#current(app.metadata.name)), applied).managed ?? [];
    const live = await readLive(this.#o.store, app.metadata.name, [...[...desiredMap.values()].map((d) => d.key), ...managed]);
    const diffs = diffResources(desiredMap, live, ignoreRulesOf(app).rules);
    const resources: ResourceStatus[] = [];
    const healths: HealthStatus[] = [];
    for (const d of diffs) {
      const h = d.state === 'removed' ? undefined : await resourceHealth(this.#o.ployd, d.key, d.state === 'added' ? false : (live.get(keyString(d.key)) ?? true));
      if (h) healths.push(h.health);
      resources.push({
        ...d.key,
        status: d.state === 'unchanged' ? 'Synced' : 'OutOfSync',
        ...(h ? { health: h.health } : {}),
        ...(h?.message !== undefined ? { message: h.message } : d.state === 'removed' ? { message: 'not in Git: pruned by a sync with prune' } : {}),
        ...(d.changes.length > 0 ? { changes: d.changes } : {}),
      });
    }
    return { diffs, resources: [...resources, ...other], health: rollUpHealth(healths) };
  }

  /** The structural diff of an app against its target revision, as `ployd app diff` shows it. */
  async diff(name: string): Promise<{ revision: string; diffs: ResourceDiff[]; diagnostics: readonly Diagnostic[] }> {
    const rec = await this.#require(name);
    const app = appOf(rec);
    const revision = stateOf(rec).pinnedRevision ?? (await this.#resolve(app.spec.source.targetRevision));
    const desired = await this.desiredAt(app, revision);
    const { diffs } = await this.#compare(app, desired);
    return { revision, diffs: diffs.filter((d) => d.state !== 'unchanged'), diagnostics: desired.diagnostics };
  }

  async #require(name: string): Promise<ApplicationRecord> {
    const rec = await this.#read(name);
    if (!rec) throw new PloydError('E_NOT_FOUND', `application ${name} not found`, { application: name });
    return rec;
  }

  /** One level-triggered pass over an application: compare, report, and sync when the policy says so. */
  async reconcile(name: string): Promise<void> {
    const rec = await this.#read(name);
    if (!rec) return;
    const app = appOf(rec);
    const state = stateOf(rec);
    if (state.operation) {
      await this.#runOperation(name, state.operation);
      return;
    }
    if (this.#head && !this.#head.apps.has(name)) {
      await this.#removeApp(rec, this.#head.sha);
      return;
    }
    const head = await this.#resolve(app.spec.source.targetRevision);
    const target = state.pinnedRevision ?? head;
    const desired = await this.desiredAt(app, target);
    const errors = desired.diagnostics.filter((d) => d.severity === 'error');
    const now = this.#now();
    if (errors.length > 0) {
      // Never applied, not even in part: the app keeps its last good state and shows why.
      const good = state.syncedRevision ? await this.desiredAt(app, state.syncedRevision) : undefined;
      const cmp = good ? await this.#compare(app, good) : undefined;
      await this.#updateState(
        name,
        (s) => ({
          ...s,
          targetRevision: target,
          refusedRevision: target,
          diagnostics: errors.slice(0, 50),
          conditions: [`revision ${target.slice(0, 12)} refused: ${errors.length} error(s), first: ${errors[0]?.message ?? ''}`],
          ...(cmp ? { resources: cmp.resources } : {}),
          reconciledAt: new Date(now).toISOString(),
        }),
        { syncStatus: 'Unknown', ...(cmp ? { healthStatus: cmp.health } : {}) },
      );
      this.#recordInfo(rec, 'Unknown', cmp?.health ?? rec.healthStatus);
      return;
    }
    const cmp = await this.#compare(app, desired);
    const sync = syncStatusOf(cmp.diffs);
    const policy = app.spec.syncPolicy.automated;
    const manual = desired.environment?.spec?.promotion?.mode === 'manual';
    const conditions: string[] = [];
    let action: { kind: 'sync'; reason: string } | { kind: 'wait'; ms: number } | undefined;
    if (sync === 'OutOfSync' && policy && !state.autoSyncDisabled && !state.pinnedRevision) {
      if (manual) {
        conditions.push(`environment ${environmentOf(app)} requires a manual sync (promotion.mode: manual)`);
      } else {
        const blocked = await this.#dependencyBlock(app);
        if (blocked) {
          conditions.push(blocked);
          action = { kind: 'wait', ms: 1000 };
        } else if (target !== state.syncedRevision) {
          const r = state.retry;
          const limit = app.spec.syncPolicy.retry?.limit ?? 5;
          if (r && r.revision === target && limit >= 0 && r.attempts > limit) conditions.push(`sync of ${target.slice(0, 12)} failed ${r.attempts} times; retries exhausted`);
          else if (r && r.revision === target && now < r.nextAt) action = { kind: 'wait', ms: r.nextAt - now };
          else action = { kind: 'sync', reason: 'new revision' };
        } else if (policy.selfHeal) {
          const h = state.selfHeal ?? { attempts: 0, nextAt: 0 };
          if (h.nextAt === 0) {
            // Drift first seen: heal after the first backoff step, not at once (a human may be mid-change).
            const delay = backoffDelay(0, this.#o.selfHealBackoff ?? SELF_HEAL_BACKOFF);
            await this.#updateState(name, (s) => ({ ...s, selfHeal: { attempts: h.attempts, nextAt: now + delay } }));
            action = { kind: 'wait', ms: delay };
          } else if (now >= h.nextAt) action = { kind: 'sync', reason: 'self-heal' };
          else action = { kind: 'wait', ms: h.nextAt - now };
        } else {
          conditions.push('live state drifted; selfHeal is off, so it stays until a sync');
        }
      }
    }
    if (sync === 'OutOfSync' && (!policy || state.autoSyncDisabled || state.pinnedRevision)) {
      if (state.pinnedRevision) conditions.push(`pinned to ${state.pinnedRevision.slice(0, 12)} by a rollback; auto-sync is suspended until re-enabled`);
      else if (manual) conditions.push(`environment ${environmentOf(app)} requires a manual sync (promotion.mode: manual): ployd app sync ${name}`);
      else conditions.push(`auto-sync is off: ployd app sync ${name}`);
    }
    const reset = sync === 'Synced' && state.selfHeal && now >= state.selfHeal.nextAt;
    // A new revision whose desired state equals live state needs no operation: it is synced.
    const caughtUp = sync === 'Synced' && !state.pinnedRevision && target !== state.syncedRevision;
    const healAttempts = action?.kind === 'sync' && action.reason === 'self-heal' ? (state.selfHeal?.attempts ?? 0) + 1 : undefined;
    const report = (s: AppState): AppState => {
      const { diagnostics: _d, refusedRevision: _r, ...rest } = s;
      return {
        ...rest,
        ...(reset ? { selfHeal: { attempts: 0, nextAt: 0 } } : {}),
        ...(healAttempts !== undefined ? { selfHeal: { attempts: healAttempts, nextAt: now + backoffDelay(healAttempts, this.#o.selfHealBackoff ?? SELF_HEAL_BACKOFF) } } : {}),
        targetRevision: target,
        ...(caughtUp ? { syncedRevision: target } : {}),
        conditions,
        resources: cmp.resources,
        reconciledAt: new Date(now).toISOString(),
      };
    };
    const status = { syncStatus: sync, healthStatus: cmp.health };
    this.#recordInfo(rec, sync, cmp.health);
    if (action?.kind === 'sync') {
      if (healAttempts !== undefined) this.#log.info({ application: name, attempts: healAttempts }, 'controller: live state drifted; self-healing');
      // The report and the operation land in one write (the operation is the resume point).
      await this.#startOperation(name, app, target, desired, cmp.diffs, { subject: GITOPS_SUBJECT, prune: policy?.prune ?? false }, { change: report, status });
      return;
    }
    await this.#updateState(name, report, status);
    if (action?.kind === 'wait') this.enqueue(name, Math.max(50, action.ms));
    else if (sync === 'Synced' && state.selfHeal && state.selfHeal.nextAt > now) this.enqueue(name, state.selfHeal.nextAt - now);
  }

  #recordInfo(rec: ApplicationRecord, sync: string, health: string): void {
    const app = appOf(rec);
    const st = stateOf(rec);
    this.metrics.setAppInfo({
      name: rec.name,
      project: rec.project,
      environment: environmentOf(app),
      sync_status: sync,
      health_status: health,
      autosync_enabled: String(Boolean(app.spec.syncPolicy.automated) && !st.autoSyncDisabled),
    });
  }

  async #dependencyBlock(app: Application): Promise<string | undefined> {
    for (const dep of app.spec.dependsOn) {
      const rec = await this.#o.store.applications.get(dep.name);
      if (!rec) return `waiting for ${dep.name}: no such application`;
      for (const c of dep.conditions) {
        const ok = c.status === 'Healthy' ? rec.healthStatus === 'Healthy' && rec.syncStatus === 'Synced' : rec.syncStatus === 'Synced';
        if (!ok || stateOf(rec).operation) return `waiting for ${dep.name} to be ${c.status} (now ${rec.syncStatus}/${rec.healthStatus})`;
      }
    }
    return undefined;
  }

  /**
   * The app left Git (see removalDecision): deletes its live resources through the SDK when the
   * removal cascades, then drops the app and its history; the audit log says what was deleted or
   * kept, and by which commit. Kept resources keep their app label: an app of that name added
   * back adopts them. A failed deletion leaves the app in place, to be retried.
   */
  async #removeApp(rec: ApplicationRecord, head: string): Promise<void> {
    const app = appOf(rec);
    const state = stateOf(rec);
    const synced = state.syncedRevision ? await this.desiredAt(app, state.syncedRevision).catch(() => undefined) : undefined;
    const decision = removalDecision(app, finalizersOf(rec.manifest), synced?.environment?.spec?.promotion?.mode === 'manual');
    const live = await readLive(this.#o.store, rec.name, [...(state.managed ?? []), ...(synced?.resources.map((r) => r.key) ?? [])]);
    const keys = deletionOrder([...live.values()].map((l) => l.key));
    const actor = this.#actor(head);
    if (this.#o.leaderElection && !(await this.#o.leaderElection.confirm())) return;
    if (decision.cascade) for (const k of keys) await deleteResource(this.#o.ployd, k, actor);
    const listed = keys.map((k) => `${k.kind}/${k.namespace}/${k.name}`);
    await this.#o.store.transaction(async (tx) => {
      await tx.applications.delete(rec.name);
      await tx.audit.append({
        subject: GITOPS_SUBJECT,
        groups: [...actor.groups],
        via: 'gitops',
        action: 'application.remove',
        resource: `Application/${rec.name}`,
        before: { project: rec.project, environment: rec.environment, syncedRevision: state.syncedRevision ?? null },
        after: { cascade: decision.cascade, reason: decision.reason, [decision.cascade ? 'deleted' : 'kept']: listed },
        commit: head,
      });
    });
    this.#known.delete(rec.name);
    this.metrics.removeAppInfo(rec.name);
    for (const [k, v] of this.#owner) if (v === rec.name) this.#owner.delete(k);
    this.#log.warn(
      { application: rec.name, revision: head, cascade: decision.cascade, reason: decision.reason, [decision.cascade ? 'deleted' : 'kept']: listed },
      decision.cascade ? 'controller: application removed from Git; its resources were deleted' : 'controller: application removed from Git; its resources were kept',
    );
  }

  // --- sync -------------------------------------------------------------------------------------

  /**
   * A manual sync (or the one `ployd app sync` asks for): syncs to the target revision (or the one
   * given) now, whatever the auto-sync policy. Returns when the operation has finished.
   */
  async sync(name: string, req: SyncRequest): Promise<ApplicationView> {
    this.#requireLeader();
    const rec = await this.#require(name);
    const app = appOf(rec);
    if (stateOf(rec).operation) throw new PloydError('E_CONFLICT', `application ${name} is already syncing; wait for it to finish`, { application: name });
    if (req.resumeAutoSync) await this.#updateState(name, (s) => {
        const { pinnedRevision: _p, ...rest } = s;
        return { ...rest, autoSyncDisabled: false };
      });
    const state = stateOf((await this.#require(name)));
    const revision = req.revision ? await this.#resolve(req.revision) : (state.pinnedRevision ?? (await this.#resolve(app.spec.source.targetRevision)));
    const desired = await this.desiredAt(app, revision);
    const errors = desired.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      throw new PloydError('E_SYNC_FAILED', `revision ${revision.slice(0, 12)} is not applied: ${errors.length} error(s); first: ${errors[0]?.message ?? ''}`, {
        application: name,
        revision,
        diagnostics: errors.slice(0, 20),
      });
    }
    const blocked = await this.#dependencyBlock(app);
    if (blocked) throw new PloydError('E_SYNC_FAILED', `application ${name} cannot sync yet: ${blocked}`, { application: name });
    const cmp = await this.#compare(app, desired);
    await this.#startOperation(name, app, revision, desired, cmp.diffs, { subject: req.actor.subject, groups: req.actor.groups, prune: req.prune ?? app.spec.syncPolicy.automated?.prune ?? false });
    await this.#refreshStatus(name, revision);
    return this.get(name);
  }

  /**
   * Rolls back to a history entry's revision: syncs to it, pins it and suspends auto-sync until
   * re-enabled (`ployd app sync --resume-auto-sync`), as Argo CD does.
   */
  async rollback(name: string, historyId: number, actor: Actor): Promise<ApplicationView> {
    this.#requireLeader();
    const rec = await this.#require(name);
    const entry = (await this.#o.store.applications.history(name, 100)).find((h) => h.id === historyId);
    if (!entry || !entry.revision) throw new PloydError('E_NOT_FOUND', `application ${name} has no history entry ${historyId}`, { application: name, id: historyId });
    if (entry.phase !== 'Succeeded') throw new PloydError('E_VALIDATION', `history entry ${historyId} did not succeed (${entry.phase}); roll back to a successful one`, { id: historyId });
    if (stateOf(rec).operation) throw new PloydError('E_CONFLICT', `application ${name} is already syncing; wait for it to finish`, { application: name });
    const revision = entry.revision;
    await this.#updateState(name, (s) => ({ ...s, pinnedRevision: revision, autoSyncDisabled: true }));
    const app = appOf(rec);
    const desired = await this.desiredAt(app, revision);
    const errors = desired.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new PloydError('E_SYNC_FAILED', `revision ${revision.slice(0, 12)} no longer validates: ${errors[0]?.message ?? ''}`, { application: name });
    const cmp = await this.#compare(app, desired);
    await this.#startOperation(name, app, revision, desired, cmp.diffs, { subject: actor.subject, groups: actor.groups, prune: true });
    await this.#refreshStatus(name, revision);
    return this.get(name);
  }

  /** Recomputes sync status and health after an operation, so the caller sees its result (no actions). */
  async #refreshStatus(name: string, revision: string): Promise<void> {
    const rec = await this.#require(name);
    if (stateOf(rec).operation) return;
    const app = appOf(rec);
    const cmp = await this.#compare(app, await this.desiredAt(app, revision));
    const sync = syncStatusOf(cmp.diffs);
    await this.#updateState(name, (s) => ({ ...s, resources: cmp.resources, conditions: sync === 'Synced' ? [] : (s.conditions ?? []) }), { syncStatus: sync, healthStatus: cmp.health });
  }

  async #startOperation(
    name: string,
    app: Application,
    revision: string,
    desired: DesiredState,
    diffs: ResourceDiff[],
    who: { subject: string; groups?: readonly string[]; prune: boolean },
    fold?: { change: (s: AppState) => AppState; status: { syncStatus?: string; healthStatus?: string } },
  ): Promise<void> {
    const opts = app.spec.syncPolicy.syncOptions;
    const waves = new Map(desired.resources.map((r) => [keyString(r.key), r.wave]));
    const plan = planSync(diffs, waves, {
      prune: who.prune && !opts.includes('Prune=false'),
      pruneLast: opts.includes('PruneLast=true'),
      applyOutOfSyncOnly: opts.includes('ApplyOutOfSyncOnly=true'),
    }).map((s) => (s.type === 'prune' && !Number.isFinite(s.wave) ? { ...s, wave: Number.MAX_SAFE_INTEGER } : s));
    if (this.#o.leaderElection && !(await this.#o.leaderElection.confirm())) throw new PloydError('E_NOT_LEADER', `leadership lost: ${name} is not synced by this controller`, { application: name });
    const history = await this.#o.store.applications.startSync({ application: name, revision, initiatedBy: who.subject });
    const op: OperationState = {
      historyId: history.id,
      revision,
      initiatedBy: who.subject,
      prune: who.prune,
      plan,
      step: 0,
      startedAt: new Date(this.#now()).toISOString(),
      hooks: [],
      applied: [],
    };
    // Persisted before acting: a restart finds it and resumes at `step`.
    await this.#updateState(name, (s) => ({ ...(fold ? fold.change(s) : s), operation: op }), fold?.status);
    this.metrics.syncTotal.inc({ phase: 'Running' });
    this.#log.info({ application: name, revision, steps: plan.length, by: who.subject }, 'controller: sync started');
    await this.#runOperation(name, op);
  }

  async #runOperation(name: string, start: OperationState): Promise<void> {
    let op = start;
    const rec = await this.#current(name);
    const app = appOf(rec);
    const desired = await this.desiredAt(app, op.revision);
    const byKey = new Map<string, DesiredResource>(desired.resources.map((r) => [keyString(r.key), r]));
    /** Deployments this run wrote, as stored: the health wait's first poll uses them (see #waitHealthy). */
    const deployed = new Map<string, ModelDeployment>();
    const actor = this.#actor(op.revision, op.initiatedBy === GITOPS_SUBJECT ? GITOPS_SUBJECT : op.initiatedBy);
    const tree = await this.#o.source.tree(op.revision);
    const hookEnv = {
      cwd: tree,
      env: { PLOYD_APP: name, PLOYD_REVISION: op.revision, PLOYD_ENVIRONMENT: environmentOf(app) },
      ...(this.#o.gpuCount ? { gpuCount: this.#o.gpuCount } : {}),
      ...(this.#o.gateway ? { gateway: this.#o.gateway } : {}),
    };
    // The store holds the operation as of step `saved`: the resume point. Steps are idempotent
    // (an apply of what is stored changes nothing and writes no audit row; a prune of what is gone
    // is a no-op), so progress is written only where a restart must not redo or lose something:
    // after hooks that ran (side effects, results), before waiting for health (the step a restart
    // resumes at, and what `ployd app get` shows), on stop, at least every PROGRESS_MS for long
    // syncs, and at the end. A crash between two writes re-runs the idempotent steps since.
    let saved = op.step;
    let savedAt = performance.now();
    const save = async (o: OperationState): Promise<void> => {
      if (o.step === saved) return;
      await this.#updateState(name, (s) => ({ ...withManaged(s, o.applied), operation: o }));
      saved = o.step;
      savedAt = performance.now();
    };
    const saveOnStop = async (o: OperationState): Promise<void> => {
      // A controller that lost the lock must not write: the new leader owns the operation now.
      if (this.#o.leaderElection?.isLeader !== false) await save(o);
    };
    try {
      if (desired.diagnostics.some((d) => d.severity === 'error')) throw new PloydError('E_SYNC_FAILED', `revision ${op.revision.slice(0, 12)} does not validate`);
      if (op.step === 0) {
        const created = await this.#ensureNamespace(app, desired, actor);
        if (created) op = { ...op, applied: [...op.applied, created] };
      }
      while (op.step < op.plan.length) {
        if (this.#stopped) return await saveOnStop(op); // resumed by the next start
        // Confirmed on the locking session before each step: a deposed leader starts no new step
        // and writes nothing more (the new leader resumes from the last saved step).
        if (this.#o.leaderElection && !(await this.#o.leaderElection.confirm())) return;
        const step = op.plan[op.step] as PlanStep;
        const extra: { hooks?: HookResult[]; applied?: OperationState['applied'] } = {};
        let ranHooks = false;
        if (step.type === 'hooks') {
          const results = await this.#runHooks(app.spec.hooks.filter((h) => h.phase === step.phase), hookEnv);
          ranHooks = results.length > 0;
          extra.hooks = [...op.hooks, ...results];
          const failed = results.find((r) => !r.ok);
          if (failed) {
            op = { ...op, hooks: extra.hooks };
            throw new PloydError(failed.code ?? 'E_HOOK_FAILED', `${step.phase} hook ${failed.name} failed: ${failed.message}`, { hook: failed.name });
          }
        } else if (step.type === 'apply') {
          const applied = [...op.applied];
          const managed = new Set((withManaged(stateOf(rec), op.applied).managed ?? []).map(keyString));
          for (const key of step.keys) {
            const d = byKey.get(keyString(key));
            if (!d) continue;
            const result = await applyResource(this.#o.ployd, key.kind, d.manifest, actor, managed.has(keyString(key)), deployed);
            applied.push({ ...key, action: result });
          }
          extra.applied = applied;
        } else if (step.type === 'prune') {
          const applied = [...op.applied];
          for (const key of step.keys) {
            await deleteResource(this.#o.ployd, key, actor);
            applied.push({ ...key, action: 'pruned' });
          }
          extra.applied = applied;
        } else {
          const waiting = op;
          await this.#waitHealthy(
            name,
            [...byKey.values()].filter((r) => r.wave === step.wave && r.key.kind === 'ModelDeployment').map((r) => r.key),
            () => save(waiting),
            deployed,
          );
        }
        op = { ...op, ...extra, step: op.step + 1 };
        if (ranHooks || performance.now() - savedAt > PROGRESS_MS) await save(op);
      }
      await this.#finish(name, op, 'Succeeded', `synced to ${op.revision.slice(0, 12)}`, { target: { app, desired } });
    } catch (err) {
      if (this.#stopped) return await saveOnStop(op);
      const message = err instanceof Error ? err.message : String(err);
      const failHooks = await this.#runHooks(app.spec.hooks.filter((h) => h.phase === 'SyncFail'), hookEnv);
      await this.#finish(name, { ...op, hooks: [...op.hooks, ...failHooks] }, 'Failed', message, { code: isPloydError(err) ? err.code : 'E_SYNC_FAILED' });
    }
  }

  /**
   * The environment's namespace, on runtimes that have namespaces (Kubernetes), before anything
   * (PreSync hooks included) runs in it: created with `CreateNamespace=true`, else a missing one
   * fails the sync with a message saying so. Only where the app deploys models: the other kinds
   * live in the store, where an environment is a name. Idempotent, so a resumed sync redoes it.
   */
  async #ensureNamespace(app: Application, desired: DesiredState, actor: Actor): Promise<OperationState['applied'][number] | undefined> {
    const runtime = this.#o.runtime;
    const namespaces = runtime?.namespaces;
    if (!runtime || !namespaces || !desired.resources.some((r) => r.key.kind === 'ModelDeployment')) return undefined;
    const name = environmentOf(app);
    if (await namespaces.exists(name)) return undefined;
    if (!hasSyncOption(app, 'CreateNamespace')) {
      throw new PloydError('E_SYNC_FAILED', `namespace ${name} does not exist on the ${runtime.name} runtime: create it, or add CreateNamespace=true to syncPolicy.syncOptions`, {
        application: app.metadata.name,
        namespace: name,
      });
    }
    await namespaces.create(name);
    await this.#o.store.audit.append({
      subject: actor.subject,
      groups: [...actor.groups],
      via: 'gitops',
      action: 'namespace.create',
      resource: `Namespace/${name}`,
      after: { runtime: runtime.name, application: app.metadata.name },
      ...(actor.commit !== undefined ? { commit: actor.commit } : {}),
    });
    this.#log.info({ application: app.metadata.name, namespace: name, runtime: runtime.name }, 'controller: namespace created (CreateNamespace=true)');
    return { kind: 'Namespace', namespace: '', name, action: 'created' };
  }

  async #runHooks(hooks: readonly Hook[], env: Parameters<typeof runHook>[1]): Promise<HookResult[]> {
    const out: HookResult[] = [];
    for (const h of hooks) {
      const r = await runHook(h, env);
      out.push(r);
      if (!r.ok && h.phase !== 'SyncFail') break;
    }
    return out;
  }

  /**
   * Polls until the wave is Healthy; `beforeWaiting` runs once, when it is not Healthy at once.
   * The first poll takes a deployment this operation has just written from `deployed` (what the
   * SDK's write returned) instead of reading it back; later polls read the store, so a deployment
   * deleted or changed meanwhile is seen (and the end-of-sync comparison reads live state anyway).
   */
  async #waitHealthy(name: string, keys: readonly ResourceKey[], beforeWaiting: () => Promise<void>, deployed: ReadonlyMap<string, ModelDeployment>): Promise<void> {
    const deadline = this.#now() + (this.#o.healthTimeoutMs ?? 300_000);
    for (let first = true; ; first = false) {
      const written = (k: ResourceKey): { stored: ModelDeployment } | true => {
        const md = first ? deployed.get(keyString(k)) : undefined;
        return md ? { stored: md } : true;
      };
      const hs = await Promise.all(keys.map((k) => resourceHealth(this.#o.ployd, k, written(k))));
      const worst = rollUpHealth(hs.map((h) => h.health));
      // Unknown = no runtime attached: desired state is recorded and nothing will become Ready.
      if (worst === 'Healthy' || worst === 'Unknown') return;
      if (this.#now() > deadline) throw new PloydError('E_TIMEOUT', `${name}: wave not Healthy in time (${worst}): ${hs.map((h, i) => `${keys[i]?.name}=${h.health}`).join(', ')}`);
      if (this.#stopped) throw new PloydError('E_SYNC_FAILED', 'controller stopping');
      if (first) await beforeWaiting();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Ends an operation: history, then one write of the app's state. After a success, `target` (the
   * app and desired state synced) is compared with live state again and the result is part of that
   * write, so status and health reflect what was just done without another reconcile pass.
   */
  async #finish(name: string, op: OperationState, phase: 'Succeeded' | 'Failed', message: string, extra: { code?: ErrorCode; target?: { app: Application; desired: DesiredState } } = {}): Promise<void> {
    const { code, target } = extra;
    const resources = [
      ...op.applied,
      ...op.hooks.map((h) => ({ kind: 'Hook', name: h.name, phase: h.phase, action: h.ok ? 'succeeded' : 'failed', message: h.message, ...(h.code ? { code: h.code } : {}) })),
    ];
    await this.#o.store.applications.finishSync(op.historyId, { phase, message, resources });
    const now = this.#now();
    const cmp = phase === 'Succeeded' && target ? await this.#compare(target.app, target.desired, op.applied) : undefined;
    const sync = cmp ? syncStatusOf(cmp.diffs) : undefined;
    const state = await this.#updateState(
      name,
      (s) => {
        const { operation: _op, ...rest } = withManaged(s, op.applied);
        const lastOperation = { phase, message, ...(code ? { code } : {}), revision: op.revision, finishedAt: new Date(now).toISOString() };
        if (phase === 'Succeeded') {
          const { retry: _r, ...ok } = rest;
          return { ...ok, syncedRevision: op.revision, lastOperation, ...(cmp ? { resources: cmp.resources, conditions: sync === 'Synced' ? [] : (s.conditions ?? []) } : {}) };
        }
        const attempts = s.retry?.revision === op.revision ? s.retry.attempts + 1 : 1;
        const delay = backoffDelay(attempts - 1, this.#o.retryBackoff ?? SYNC_RETRY_BACKOFF);
        return { ...rest, lastOperation, retry: { revision: op.revision, attempts, nextAt: now + delay } };
      },
      cmp && sync ? { syncStatus: sync, healthStatus: cmp.health } : {},
    );
    this.metrics.syncTotal.inc({ phase });
    this.#log[phase === 'Succeeded' ? 'info' : 'warn']({ application: name, revision: op.revision, phase, message }, 'controller: sync finished');
    if (cmp && sync) this.#recordInfo(await this.#current(name), sync, cmp.health);
    // Synced and Healthy as just compared: nothing more to do until something changes (a change
    // during the sync re-queued the app already). Otherwise re-compare at once, level-triggered.
    if (sync === 'Synced' && cmp?.health === 'Healthy') {
      if (state.selfHeal && state.selfHeal.nextAt > now) this.enqueue(name, state.selfHeal.nextAt - now);
    } else this.enqueue(name, phase === 'Failed' ? 50 : 0);
  }

  // --- views ------------------------------------------------------------------------------------

  async list(): Promise<ApplicationView[]> {
    return (await this.#listAllApps()).map((r) => this.#view(r));
  }

  async get(name: string): Promise<ApplicationView> {
    return this.#view(await this.#require(name));
  }

  #view(rec: ApplicationRecord): ApplicationView {
    const app = appOf(rec);
    const s = stateOf(rec);
    const auto = app.spec.syncPolicy.automated;
    const op = s.operation;
    const current = op ? op.plan[op.step] : undefined;
    return {
      name: rec.name,
      project: rec.project,
      environment: environmentOf(app),
      path: app.spec.source.path,
      syncStatus: rec.syncStatus,
      healthStatus: rec.healthStatus,
      revision: s.syncedRevision ?? null,
      ...(s.targetRevision ? { targetRevision: s.targetRevision } : {}),
      autoSync: Boolean(auto) && !s.autoSyncDisabled,
      selfHeal: auto?.selfHeal ?? false,
      prune: auto?.prune ?? false,
      manual: (s.conditions ?? []).some((c) => c.includes('manual sync')),
      ...(s.pinnedRevision ? { pinnedRevision: s.pinnedRevision } : {}),
      ...(op ? { operation: { phase: 'Running', revision: op.revision, step: op.step, steps: op.plan.length, ...(current ? { current: describeStep(current) } : {}) } } : {}),
      ...(s.lastOperation ? { lastOperation: s.lastOperation } : {}),
      conditions: s.conditions ?? [],
      diagnostics: s.diagnostics ?? [],
      resources: s.resources ?? [],
    };
  }

  /** Sync history, newest first (revisionHistoryLimit entries), with each commit's author and message. */
  async history(name: string): Promise<HistoryEntry[]> {
    const rec = await this.#require(name);
    const limit = appOf(rec).spec.revisionHistoryLimit;
    const rows = await this.#o.store.applications.history(name, limit);
    const out: HistoryEntry[] = [];
    for (const h of rows) {
      const info = h.revision ? await this.#o.source.commit(h.revision).catch(() => undefined) : undefined;
      out.push({
        id: h.id,
        revision: h.revision,
        ...(info ? { author: info.author, message: info.message.split('\n')[0] ?? '' } : {}),
        phase: h.phase,
        result: h.message,
        initiatedBy: h.initiatedBy,
        startedAt: h.startedAt,
        finishedAt: h.finishedAt,
        resources: h.resources,
      });
    }
    return out;
  }

  /** Validates an Application manifest (for tests and the API). */
  static parseApplication(raw: unknown): Application {
    return ApplicationSchema.parse(raw);
  }
}
