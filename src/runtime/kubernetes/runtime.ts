import type { KubeConfig } from '@kubernetes/client-node';
import { PloydError } from '../../errors/index.ts';
import { rootLogger, type Logger } from '../../log/index.ts';
import { servedModelName, type ModelDeployment } from '../../resources/index.ts';
import type { DeploymentRef, DeploymentStatus, Endpoint, HealthStatus, Runtime } from '../types.ts';
import { createKubernetesApplier, type KubernetesApplier, type ObjectRef } from './applier.ts';
import { objectHealth, worstHealth } from './health.ts';
import { MANAGED_BY, ROLE_LABEL, SOURCE_ANNOTATION, SPEC_HASH_ANNOTATION } from './labels.ts';
import { kubeName } from './names.ts';
import { SERVICE_PORT, type KubernetesRenderOptions } from './options.ts';
import { renderModelDeployment, type KubernetesObject } from './render.ts';
import { podReplica } from './replicas.ts';

type Json = Record<string, unknown>;

export interface KubernetesRuntimeOptions {
  readonly kubeConfig: KubeConfig;
  /** Render options; `namespace` is ignored: a deployment's namespace is its environment's. */
  readonly render?: Omit<KubernetesRenderOptions, 'namespace'>;
  readonly fieldManager?: string;
  readonly force?: boolean;
  readonly dryRunFirst?: boolean;
  /** How often statuses are re-read for onChange/endpoints. Default 5000 ms; 0 = only on refresh(). */
  readonly pollIntervalMs?: number;
  /** Namespaces `list()` also searches for PloyD-managed workloads it did not apply itself. */
  readonly namespaces?: readonly string[];
  /** An applier to use instead of one over kubeConfig (tests). */
  readonly applier?: KubernetesApplier;
  readonly logger?: Logger;
}

interface Known {
  readonly md: ModelDeployment;
  readonly objects: readonly KubernetesObject[];
  status?: DeploymentStatus | undefined;
  available: number;
}

const key = (r: DeploymentRef): string => `${r.namespace}/${r.name}`;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const idOf = (o: ObjectRef): string => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

const WORKLOAD_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet' },
] as const;

/** Every kind the renderer can produce for one model, for deleting what this process never applied. */
const RENDERED_KINDS = [
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  ...WORKLOAD_KINDS,
  { apiVersion: 'v1', kind: 'Service' },
] as const;

const isWorkload = (o: ObjectRef): boolean => WORKLOAD_KINDS.some((k) => k.kind === o.kind && k.apiVersion === o.apiVersion);

/**
 * The Kubernetes runtime: `apply` renders a ModelDeployment and server-side applies it (pruning
 * objects an earlier render had and this one has not), `scale` patches replicas, `status` reads
 * the workload, its pods and its companions and rolls health up by Argo CD's rules, and
 * `endpoints` gives each model with an available replica its Service URL.
 *
 * @example
 * const runtime = createKubernetesRuntime({ kubeConfig, render: { autoscaler: 'keda' } });
 * await runtime.apply(md);
 */
export function createKubernetesRuntime(options: KubernetesRuntimeOptions): Runtime & { refresh(): Promise<void> } {
  const applier = options.applier ?? createKubernetesApplier({ kubeConfig: options.kubeConfig, ...pick(options) });
  const log = (options.logger ?? rootLogger()).child({ component: 'kubernetes-runtime' });
  const known = new Map<string, Known>();
  const listeners = new Set<() => void>();
  let endpointsCache: readonly Endpoint[] = [];
  let closed = false;
  let refreshing: Promise<void> | undefined;

  function render(md: ModelDeployment): KubernetesObject[] {
    return renderModelDeployment(md, { ...options.render, namespace: md.metadata.namespace ?? 'default' });
  }

  function notify(): void {
    for (const l of [...listeners]) {
      try {
        l();
      } catch (err) {
        log.warn({ err }, 'onChange listener threw');
      }
    }
  }

  function rebuildEndpoints(): boolean {
    const next: Endpoint[] = [];
    for (const k of known.values()) {
      if (k.available <= 0) continue;
      const ns = k.md.metadata.namespace ?? 'default';
      next.push({
        namespace: ns,
        name: k.md.metadata.name,
        servedModelName: servedModelName(k.md),
        replicaId: `service/${kubeName(k.md.metadata.name)}`,
        url: `http://${kubeName(k.md.metadata.name)}.${ns}.svc.cluster.local:${SERVICE_PORT}`,
      });
    }
    const changed = JSON.stringify(next) !== JSON.stringify(endpointsCache);
    endpointsCache = next;
    return changed;
  }

  async function findWorkload(ref: DeploymentRef, k: Known | undefined): Promise<Json | undefined> {
    const kinds = k ? k.objects.filter(isWorkload) : WORKLOAD_KINDS.map((w) => ({ ...w, metadata: { name: kubeName(ref.name), namespace: ref.namespace } }));
    for (const w of kinds) {
      const live = await applier.read({ apiVersion: w.apiVersion, kind: w.kind, metadata: { name: w.metadata.name, namespace: ref.namespace } });
      if (live) return { apiVersion: w.apiVersion, kind: w.kind, ...live };
    }
    return undefined;
  }

  async function readStatus(ref: DeploymentRef, k: Known | undefined): Promise<{ status: DeploymentStatus; available: number } | undefined> {
    const workload = await findWorkload(ref, k);
    if (!workload) {
      if (!k) return undefined;
      return { status: { ...ref, health: 'Missing', message: 'workload not found in the cluster', desiredReplicas: 0, readyReplicas: 0, replicas: [] }, available: 0 };
    }
    const meta = obj(workload.metadata);
    const spec = obj(workload.spec);
    const wstatus = obj(workload.status);
    const healths: { status: HealthStatus; message?: string }[] = [objectHealth(workload)];
    // Companions (Service, PDB, HPA...) roll up into the model's health, worst first, as in Argo CD.
    for (const o of k?.objects ?? []) {
      if (isWorkload(o)) continue;
      const live = await applier.read(o);
      healths.push(live ? objectHealth({ apiVersion: o.apiVersion, kind: o.kind, ...live }) : { status: 'Missing', message: `${o.kind} ${o.metadata.name} not found` });
    }
    const health = worstHealth(healths.map((h) => h.status));
    const message = healths.find((h) => h.status === health && h.message)?.message;
    // A LeaderWorkerSet replica is a group: its leader stands for it (workers serve no HTTP).
    const leadersOnly = workload.kind === 'LeaderWorkerSet' ? `,${ROLE_LABEL}=leader` : '';
    const selector = `app.kubernetes.io/instance=${kubeName(ref.name)}${leadersOnly}`;
    const pods = (await applier.list('v1', 'Pod', ref.namespace, selector)).sort((a, b) => String(obj(a.metadata).name).localeCompare(String(obj(b.metadata).name)));
    const port = k?.md.spec.serving?.port ?? 8080;
    const annotations = obj(meta.annotations);
    const hash = annotations[SPEC_HASH_ANNOTATION];
    const available = typeof wstatus.availableReplicas === 'number' ? wstatus.availableReplicas : typeof wstatus.readyReplicas === 'number' ? wstatus.readyReplicas : 0;
    return {
      status: {
        ...ref,
        health,
        ...(message ? { message } : {}),
        desiredReplicas: typeof spec.replicas === 'number' ? spec.replicas : 0,
        readyReplicas: typeof wstatus.readyReplicas === 'number' ? wstatus.readyReplicas : 0,
        replicas: pods.map((p, i) => podReplica(p, i, port)),
        ...(typeof hash === 'string' ? { specHash: hash } : {}),
      },
      available,
    };
  }

  async function refreshOne(k: Known): Promise<boolean> {
    const ref = { namespace: k.md.metadata.namespace ?? 'default', name: k.md.metadata.name };
    const r = await readStatus(ref, k);
    const before = JSON.stringify(k.status);
    k.status = r?.status;
    k.available = r?.available ?? 0;
    return JSON.stringify(k.status) !== before;
  }

  async function refreshAll(): Promise<void> {
    let changed = false;
    for (const k of known.values()) {
      try {
        changed = (await refreshOne(k)) || changed;
      } catch (err) {
        log.warn({ err, model: k.md.metadata.name }, 'cannot read status');
      }
    }
    changed = rebuildEndpoints() || changed;
    if (changed && !closed) notify();
  }

  function refresh(): Promise<void> {
    // Coalesce: a poll tick during a slow refresh waits for it rather than piling up requests.
    refreshing ??= refreshAll().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  const interval = options.pollIntervalMs ?? 5000;
  const timer = interval > 0 ? setInterval(() => void refresh(), interval) : undefined;
  timer?.unref();

  return {
    name: 'kubernetes',

    namespaces: {
      async exists(name) {
        return (await applier.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })) !== undefined;
      },
      async create(name) {
        const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } } };
        await applier.apply([ns]);
        log.info({ namespace: name }, 'namespace created');
      },
    },

    async apply(md) {
      const objects = render(md);
      const ref = { namespace: md.metadata.namespace, name: md.metadata.name };
      const prev = known.get(key(ref));
      await applier.apply(objects);
      if (prev) {
        const now = new Set(objects.map(idOf));
        const stale = prev.objects.filter((o) => !now.has(idOf(o)));
        if (stale.length > 0) {
          await applier.delete(stale);
          log.info({ model: md.metadata.name, pruned: stale.map(idOf) }, 'pruned objects no longer rendered');
        }
      }
      const k: Known = { md, objects, available: prev?.available ?? 0 };
      known.set(key(ref), k);
      try {
        await refreshOne(k);
      } catch (err) {
        log.warn({ err, model: md.metadata.name }, 'applied, but cannot read status yet');
      }
      rebuildEndpoints();
      notify();
    },

    async scale(ref, replicas) {
      const k = known.get(key(ref));
      const workload = k?.objects.find(isWorkload) ?? (await findWorkload(ref, undefined));
      if (!workload) throw new PloydError('E_NOT_FOUND', `no Deployment or LeaderWorkerSet for model ${ref.namespace}/${ref.name}`, { ...ref });
      await applier.scale({ apiVersion: String(workload.apiVersion), kind: String(workload.kind), metadata: { name: kubeName(ref.name), namespace: ref.namespace } }, replicas);
      if (k) await refreshOne(k).catch((err: unknown) => log.warn({ err }, 'cannot read status after scale'));
      rebuildEndpoints();
      notify();
    },

    async delete(ref) {
      const k = known.get(key(ref));
      const targets: ObjectRef[] = k
        ? [...k.objects].reverse()
        : RENDERED_KINDS.map((t) => ({ apiVersion: t.apiVersion, kind: t.kind, metadata: { name: kubeName(ref.name), namespace: ref.namespace } }));
      await applier.delete(targets);
      known.delete(key(ref));
      rebuildEndpoints();
      notify();
    },

    async status(ref) {
      const k = known.get(key(ref));
      const r = await readStatus(ref, k);
      if (k && r) {
        k.status = r.status;
        k.available = r.available;
        if (rebuildEndpoints()) notify();
      }
      return r?.status;
    },

    async list() {
      await refresh();
      const out = new Map<string, DeploymentStatus>();
      for (const k of known.values()) if (k.status) out.set(key(k.status), k.status);
      for (const ns of options.namespaces ?? []) {
        for (const w of WORKLOAD_KINDS) {
          for (const live of await applier.list(w.apiVersion, w.kind, ns, 'app.kubernetes.io/managed-by=ployd')) {
            const ann = obj(obj(live.metadata).annotations);
            const source = typeof ann[SOURCE_ANNOTATION] === 'string' ? ann[SOURCE_ANNOTATION] : '';
            const name = source.startsWith('ModelDeployment/') ? source.slice('ModelDeployment/'.length) : String(obj(live.metadata).name);
            const ref = { namespace: ns, name };
            if (out.has(key(ref))) continue;
            const r = await readStatus(ref, undefined);
            if (r) out.set(key(ref), r.status);
          }
        }
      }
      return [...out.values()];
    },

    endpoints() {
      return endpointsCache;
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    refresh,

    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await refreshing?.catch(() => undefined);
      listeners.clear();
    },
  };
}

function pick(o: KubernetesRuntimeOptions): { fieldManager?: string; force?: boolean; dryRunFirst?: boolean; logger?: Logger } {
  return {
    ...(o.fieldManager !== undefined ? { fieldManager: o.fieldManager } : {}),
    ...(o.force !== undefined ? { force: o.force } : {}),
    ...(o.dryRunFirst !== undefined ? { dryRunFirst: o.dryRunFirst } : {}),
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  };
}

