import { desiredReplicas, servedModelName, type ModelDeployment } from '../../resources/index.ts';
import type {
  DeploymentRef,
  DeploymentStatus,
  Endpoint,
  HealthStatus,
  ReplicaPhase,
  ReplicaStatus,
  Runtime,
  RuntimeNamespaces,
} from '../../runtime/index.ts';

interface Replica {
  id: string;
  index: number;
  phase: ReplicaPhase;
  restarts: number;
  reason?: string;
}

interface Entry {
  deployment: ModelDeployment & { metadata: { namespace: string } };
  desired: number;
  replicas: Replica[];
  message?: string;
}

export interface MemoryRuntimeOptions {
  /** Phase of new replicas: `Ready` (default) or `Starting` (tests then call setReplicaPhase). */
  readonly initialPhase?: ReplicaPhase;
  /** Base of the fake replica URLs. */
  readonly baseUrl?: string;
  /**
   * Behave like a target with namespaces (Kubernetes), these existing: `namespaces` is defined and
   * an apply into a missing namespace rejects. Without it, as the local runtime, there are none.
   */
  readonly namespaces?: readonly string[];
}

/** One recorded call, for assertions. */
export type MemoryRuntimeCall =
  | { readonly op: 'apply'; readonly namespace: string; readonly name: string; readonly replicas: number }
  | { readonly op: 'scale'; readonly namespace: string; readonly name: string; readonly replicas: number }
  | { readonly op: 'delete'; readonly namespace: string; readonly name: string };

const key = (ref: DeploymentRef) => `${ref.namespace}/${ref.name}`;

/**
 * A complete in-memory Runtime for tests and demos: replicas exist as records, become Ready at
 * once (or when told), and report the same statuses, endpoints and change notifications a real
 * runtime does. No processes, no sockets.
 *
 * @example
 * const runtime = new MemoryRuntime();
 * const ployd = createPloyd({ store, runtime });
 * await ployd.modelServing.deployModel(manifest, actor);
 * runtime.endpoints(); // one Ready endpoint per replica
 */
export class MemoryRuntime implements Runtime {
  readonly name = 'memory';
  readonly calls: MemoryRuntimeCall[] = [];
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<() => void>();
  readonly #initialPhase: ReplicaPhase;
  readonly #baseUrl: string;
  #closed = false;
  #failNext: Error | undefined;
  readonly namespaces?: RuntimeNamespaces;
  /** Namespaces that exist (with the `namespaces` option), in creation order. */
  readonly namespaceList: string[] = [];

  constructor(options: MemoryRuntimeOptions = {}) {
    this.#initialPhase = options.initialPhase ?? 'Ready';
    this.#baseUrl = options.baseUrl ?? 'http://127.0.0.1:9';
    if (options.namespaces) {
      const list = this.namespaceList;
      list.push(...options.namespaces);
      this.namespaces = {
        exists: (name) => Promise.resolve(list.includes(name)),
        create: (name) => {
          if (!list.includes(name)) list.push(name);
          return Promise.resolve();
        },
      };
    }
  }

  /** The next apply/scale/delete rejects with this error (failure injection). */
  failNext(err: Error): void {
    this.#failNext = err;
  }

  // async: failures (closed, injected) must reject, never throw synchronously.
  // eslint-disable-next-line @typescript-eslint/require-await
  async apply(deployment: ModelDeployment & { metadata: { namespace: string } }): Promise<void> {
    this.#guard();
    const ref = { namespace: deployment.metadata.namespace, name: deployment.metadata.name };
    if (this.namespaces && !this.namespaceList.includes(ref.namespace)) throw new Error(`memory runtime: namespace ${ref.namespace} not found`);
    const desired = desiredReplicas(deployment);
    const existing = this.#entries.get(key(ref));
    const entry: Entry = existing ?? { deployment, desired, replicas: [] };
    entry.deployment = structuredClone(deployment);
    entry.desired = desired;
    this.#entries.set(key(ref), entry);
    this.#converge(entry);
    this.calls.push({ op: 'apply', ...ref, replicas: desired });
    this.#emit();
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async scale(ref: DeploymentRef, replicas: number): Promise<void> {
    this.#guard();
    const entry = this.#entries.get(key(ref));
    if (!entry) throw new Error(`memory runtime: no deployment ${key(ref)}`);
    entry.desired = replicas;
    this.#converge(entry);
    this.calls.push({ op: 'scale', ...ref, replicas });
    this.#emit();
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async delete(ref: DeploymentRef): Promise<void> {
    this.#guard();
    const existed = this.#entries.delete(key(ref));
    this.calls.push({ op: 'delete', namespace: ref.namespace, name: ref.name });
    if (existed) this.#emit();
  }

  status(ref: DeploymentRef): Promise<DeploymentStatus | undefined> {
    const entry = this.#entries.get(key(ref));
    return Promise.resolve(entry ? this.#status(entry) : undefined);
  }

  list(): Promise<DeploymentStatus[]> {
    return Promise.resolve([...this.#entries.values()].map((e) => this.#status(e)));
  }

  endpoints(): readonly Endpoint[] {
    const out: Endpoint[] = [];
    for (const e of this.#entries.values()) {
      const { namespace, name } = e.deployment.metadata;
      for (const r of e.replicas) {
        if (r.phase !== 'Ready') continue;
        out.push({ namespace, name, servedModelName: servedModelName(e.deployment), replicaId: r.id, url: `${this.#baseUrl}/${namespace}/${name}/${r.index}` });
      }
    }
    return out;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#listeners.clear();
    return Promise.resolve();
  }

  /** Test hook: move one replica to a phase (e.g. CrashLoop) and notify listeners. */
  setReplicaPhase(ref: DeploymentRef, index: number, phase: ReplicaPhase, reason?: string): void {
    const r = this.#entries.get(key(ref))?.replicas.find((x) => x.index === index);
    if (!r) throw new Error(`memory runtime: no replica ${index} of ${key(ref)}`);
    r.phase = phase;
    if (phase === 'CrashLoop') r.restarts++;
    if (reason !== undefined) r.reason = reason;
    else delete r.reason;
    this.#emit();
  }

  #guard(): void {
    if (this.#closed) throw new Error('memory runtime is closed');
    const err = this.#failNext;
    if (err) {
      this.#failNext = undefined;
      throw err;
    }
  }

  #converge(entry: Entry): void {
    const { namespace, name } = entry.deployment.metadata;
    while (entry.replicas.length < entry.desired) {
      const index = entry.replicas.length;
      entry.replicas.push({ id: `${namespace}-${name}-${index}`, index, phase: this.#initialPhase, restarts: 0 });
    }
    // Scale down from the highest index, as the local runtime does.
    entry.replicas.length = Math.min(entry.replicas.length, entry.desired);
  }

  #status(entry: Entry): DeploymentStatus {
    const ready = entry.replicas.filter((r) => r.phase === 'Ready').length;
    const replicas: ReplicaStatus[] = entry.replicas.map((r) => ({
      id: r.id,
      index: r.index,
      phase: r.phase,
      restarts: r.restarts,
      ...(r.phase === 'Ready' ? { url: `${this.#baseUrl}/${entry.deployment.metadata.namespace}/${entry.deployment.metadata.name}/${r.index}` } : {}),
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    }));
    let health: HealthStatus;
    let message: string | undefined;
    if (entry.replicas.some((r) => r.phase === 'CrashLoop' || r.phase === 'Failed')) {
      health = 'Degraded';
      message = 'a replica is crash-looping or failed';
    } else if (entry.desired === 0) {
      health = 'Suspended';
      message = 'scaled to zero';
    } else if (ready >= entry.desired) {
      health = 'Healthy';
    } else {
      health = 'Progressing';
      message = `${ready}/${entry.desired} replicas ready`;
    }
    return {
      namespace: entry.deployment.metadata.namespace,
      name: entry.deployment.metadata.name,
      health,
      ...(message !== undefined ? { message } : {}),
      desiredReplicas: entry.desired,
      readyReplicas: ready,
      replicas,
    };
  }

  #emit(): void {
    for (const l of [...this.#listeners]) l();
  }
}
