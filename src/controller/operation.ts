import { isPloydError, PloydError, type ErrorCode } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { hasSyncOption, type Application, type Hook, type ModelDeployment } from '../resources/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Actor, Ployd } from '../sdk/index.ts';
import type { Store } from '../store/index.ts';
import { GITOPS_SUBJECT, gitopsActor } from './actor.ts';
import { appOf, stateOf, type AppRecords } from './app-records.ts';
import { withManaged, type AppState, type OperationState } from './app-state.ts';
import { environmentOf, type DesiredResource, type DesiredState } from './desired.ts';
import { keyString, type ResourceDiff, type ResourceKey } from './diff.ts';
import type { GitSource } from './git/index.ts';
import { rollUpHealth } from './health.ts';
import { runHook, type HookResult } from './hooks.ts';
import { applyResource, deleteResource, resourceHealth } from './live.ts';
import type { LeaderElector } from './leader.ts';
import type { ControllerMetrics } from './metrics.ts';
import { planSync, type PlanStep } from './plan.ts';

/** During a long sync, progress is written at least this often (what `ployd app get` shows). */
const PROGRESS_MS = 1_000;

/** How an operation ended, for the controller's `finish`. */
export interface FinishExtra {
  readonly code?: ErrorCode;
  /** After a success: the app and desired state synced, compared with live state once more. */
  readonly target?: { readonly app: Application; readonly desired: DesiredState };
}

/** What running a sync operation needs from the controller: narrow, so the runner knows no queue or cache. */
export interface OperationDeps {
  readonly ployd: Ployd;
  readonly store: Store;
  readonly source: GitSource;
  readonly records: AppRecords;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  readonly now: () => number;
  /** Where namespaces are created (CreateNamespace); absent = no namespaces to ensure. */
  readonly runtime?: Runtime | undefined;
  readonly gpuCount?: ((type?: string) => number) | undefined;
  readonly gateway?: { readonly url: string; readonly apiKey: string } | undefined;
  readonly leaderElection?: LeaderElector | undefined;
  /** How long a wave may take to become Healthy. */
  readonly healthTimeoutMs: number;
  /** The controller stopped acting (stop, or leadership lost): save progress and return. */
  stopped(): boolean;
  desiredAt(app: Application, revision: string): Promise<DesiredState>;
  /** Ends an operation: history, the app's status, and what the queue does next. */
  finish(name: string, op: OperationState, phase: 'Succeeded' | 'Failed', message: string, extra?: FinishExtra): Promise<void>;
}

/**
 * Runs sync operations: plans one from a diff, persists it (the resume point), then runs its
 * steps — hooks, applies and prunes by wave through the SDK, health waits — saving progress where
 * a restart must not redo or lose something, and hands the end to the controller's `finish`.
 */
export class OperationRunner {
  readonly #d: OperationDeps;

  constructor(deps: OperationDeps) {
    this.#d = deps;
  }

  /** Plans and persists an operation, then runs it. `fold` is a status change written in the same statement. */
  async start(
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
    if (this.#d.leaderElection && !(await this.#d.leaderElection.confirm())) throw new PloydError('E_NOT_LEADER', `leadership lost: ${name} is not synced by this controller`, { application: name });
    const history = await this.#d.store.applications.startSync({ application: name, revision, initiatedBy: who.subject });
    const op: OperationState = {
      historyId: history.id,
      revision,
      initiatedBy: who.subject,
      prune: who.prune,
      plan,
      step: 0,
      startedAt: new Date(this.#d.now()).toISOString(),
      hooks: [],
      applied: [],
    };
    // Persisted before acting: a restart finds it and resumes at `step`.
    await this.#d.records.updateState(name, (s) => ({ ...(fold ? fold.change(s) : s), operation: op }), fold?.status);
    this.#d.metrics.syncTotal.inc({ phase: 'Running' });
    this.#d.log.info({ application: name, revision, steps: plan.length, by: who.subject }, 'controller: sync started');
    await this.run(name, op);
  }

  /** Runs an operation from its current step: a new one, or one a restart resumes from the store. */
  async run(name: string, start: OperationState): Promise<void> {
    let op = start;
    const rec = await this.#d.records.current(name);
    const app = appOf(rec);
    const desired = await this.#d.desiredAt(app, op.revision);
    const byKey = new Map<string, DesiredResource>(desired.resources.map((r) => [keyString(r.key), r]));
    /** Deployments this run wrote, as stored: the health wait's first poll uses them (see #waitHealthy). */
    const deployed = new Map<string, ModelDeployment>();
    const actor = gitopsActor(op.revision, op.initiatedBy === GITOPS_SUBJECT ? GITOPS_SUBJECT : op.initiatedBy);
    const tree = await this.#d.source.tree(op.revision);
    const hookEnv = {
      cwd: tree,
      env: { PLOYD_APP: name, PLOYD_REVISION: op.revision, PLOYD_ENVIRONMENT: environmentOf(app) },
      ...(this.#d.gpuCount ? { gpuCount: this.#d.gpuCount } : {}),
      ...(this.#d.gateway ? { gateway: this.#d.gateway } : {}),
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
      await this.#d.records.updateState(name, (s) => ({ ...withManaged(s, o.applied), operation: o }));
      saved = o.step;
      savedAt = performance.now();
    };
    const saveOnStop = async (o: OperationState): Promise<void> => {
      // A controller that lost the lock must not write: the new leader owns the operation now.
      if (this.#d.leaderElection?.isLeader !== false) await save(o);
    };
    try {
      if (desired.diagnostics.some((d) => d.severity === 'error')) throw new PloydError('E_SYNC_FAILED', `revision ${op.revision.slice(0, 12)} does not validate`);
      if (op.step === 0) {
        const created = await this.#ensureNamespace(app, desired, actor);
        if (created) op = { ...op, applied: [...op.applied, created] };
      }
      while (op.step < op.plan.length) {
        if (this.#d.stopped()) return await saveOnStop(op); // resumed by the next start
        // Confirmed on the locking session before each step: a deposed leader starts no new step
        // and writes nothing more (the new leader resumes from the last saved step).
        if (this.#d.leaderElection && !(await this.#d.leaderElection.confirm())) return;
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
            const result = await applyResource(this.#d.ployd, key.kind, d.manifest, actor, managed.has(keyString(key)), deployed);
            applied.push({ ...key, action: result });
          }
          extra.applied = applied;
        } else if (step.type === 'prune') {
          const applied = [...op.applied];
          for (const key of step.keys) {
            await deleteResource(this.#d.ployd, key, actor);
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
      await this.#d.finish(name, op, 'Succeeded', `synced to ${op.revision.slice(0, 12)}`, { target: { app, desired } });
    } catch (err) {
      if (this.#d.stopped()) return await saveOnStop(op);
      const message = err instanceof Error ? err.message : String(err);
      const failHooks = await this.#runHooks(app.spec.hooks.filter((h) => h.phase === 'SyncFail'), hookEnv);
      await this.#d.finish(name, { ...op, hooks: [...op.hooks, ...failHooks] }, 'Failed', message, { code: isPloydError(err) ? err.code : 'E_SYNC_FAILED' });
    }
  }

  /**
   * The environment's namespace, on runtimes that have namespaces (Kubernetes), before anything
   * (PreSync hooks included) runs in it: created with `CreateNamespace=true`, else a missing one
   * fails the sync with a message saying so. Only where the app deploys models: the other kinds
   * live in the store, where an environment is a name. Idempotent, so a resumed sync redoes it.
   */
  async #ensureNamespace(app: Application, desired: DesiredState, actor: Actor): Promise<OperationState['applied'][number] | undefined> {
    const runtime = this.#d.runtime;
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
    await this.#d.store.audit.append({
      subject: actor.subject,
      groups: [...actor.groups],
      via: 'gitops',
      action: 'namespace.create',
      resource: `Namespace/${name}`,
      after: { runtime: runtime.name, application: app.metadata.name },
      ...(actor.commit !== undefined ? { commit: actor.commit } : {}),
    });
    this.#d.log.info({ application: app.metadata.name, namespace: name, runtime: runtime.name }, 'controller: namespace created (CreateNamespace=true)');
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
    const deadline = this.#d.now() + (this.#d.healthTimeoutMs);
    for (let first = true; ; first = false) {
      const written = (k: ResourceKey): { stored: ModelDeployment } | true => {
        const md = first ? deployed.get(keyString(k)) : undefined;
        return md ? { stored: md } : true;
      };
      const hs = await Promise.all(keys.map((k) => resourceHealth(this.#d.ployd, k, written(k))));
      const worst = rollUpHealth(hs.map((h) => h.health));
      // Unknown = no runtime attached: desired state is recorded and nothing will become Ready.
      if (worst === 'Healthy' || worst === 'Unknown') return;
      if (this.#d.now() > deadline) throw new PloydError('E_TIMEOUT', `${name}: wave not Healthy in time (${worst}): ${hs.map((h, i) => `${keys[i]?.name}=${h.health}`).join(', ')}`);
      if (this.#d.stopped()) throw new PloydError('E_SYNC_FAILED', 'controller stopping');
      if (first) await beforeWaiting();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
