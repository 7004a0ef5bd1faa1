import type * as K8sClient from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { PloydError } from '../../errors/index.ts';
import { rootLogger, type Logger } from '../../log/index.ts';

type Json = Record<string, unknown>;

/** Enough of an object to address it. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export interface KubernetesApplierOptions {
  readonly kubeConfig: KubeConfig;
  /** Server-side apply field manager. Default `ployd`. */
  readonly fieldManager?: string;
  /**
   * Take over fields another manager owns (kubectl's `--force-conflicts`). Default true, as Argo CD
   * does with server-side apply: Git is the source of truth. With false, a conflict is an error.
   */
  readonly force?: boolean;
  /** Dry-run every object on the server before changing any, so a bad object leaves the cluster untouched. Default true. */
  readonly dryRunFirst?: boolean;
  readonly logger?: Logger;
}

export interface KubernetesApplier {
  /** Server-side applies the objects in order; returns the live objects the server answered with. */
  apply(objects: readonly ObjectRef[]): Promise<Json[]>;
  /** Sets `spec.replicas` under its own field manager (`<fieldManager>-scale`), leaving every other field alone. */
  scale(ref: ObjectRef, replicas: number): Promise<void>;
  /** The live object, or undefined when it does not exist (or its kind is not installed). */
  read(ref: ObjectRef): Promise<Json | undefined>;
  list(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<Json[]>;
  /** Deletes objects; absent ones (or kinds not installed) are skipped. Returns the refs actually deleted. */
  delete(refs: readonly ObjectRef[]): Promise<ObjectRef[]>;
}

// Loading @kubernetes/client-node takes seconds on a busy machine; `ployd render` never needs it,
// so it is loaded on the first API call rather than when this module is imported.
let clientLib: Promise<typeof K8sClient> | undefined;
const loadClientLib = (): Promise<typeof K8sClient> => (clientLib ??= import('@kubernetes/client-node'));

interface ApiError {
  readonly code: number;
  readonly body: unknown;
}
/** The client's ApiException, recognised by shape so this check needs no loaded client. */
function isApiError(err: unknown): err is Error & ApiError {
  return err instanceof Error && typeof (err as Partial<ApiError>).code === 'number' && 'body' in err;
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.metadata.namespace ?? '-'}/${ref.metadata.name}`;
}

function statusMessage(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body) as unknown;
    } catch {
      return body.length > 0 ? body.slice(0, 500) : undefined;
    }
  }
  const m = (b as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : undefined;
}

/** The kind is not served by this cluster (CRD not installed): discovery found no such resource. */
function isKindNotInstalled(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : '';
  return msg.startsWith('Unrecognized API version and kind') || (msg.startsWith('Failed to fetch resource metadata') && isApiError(err) && err.code === 404);
}

function toPloydError(err: unknown, op: string, ref: ObjectRef): PloydError {
  if (err instanceof PloydError) return err;
  const where = { kind: ref.kind, apiVersion: ref.apiVersion, namespace: ref.metadata.namespace, name: ref.metadata.name, op };
  if (isKindNotInstalled(err)) {
    return new PloydError('E_K8S_API', `${op} ${describe(ref)}: the cluster does not serve ${ref.apiVersion} ${ref.kind} (is its CRD installed?)`, where, { cause: err });
  }
  if (isApiError(err)) {
    const code = err.code;
    const message = statusMessage(err.body) ?? `HTTP ${code}`;
    if (code === 409) {
      return new PloydError('E_K8S_APPLY_CONFLICT', `${op} ${describe(ref)}: ${message}`, { ...where, status: code }, { cause: err });
    }
    return new PloydError('E_K8S_API', `${op} ${describe(ref)}: ${message}`, { ...where, status: code }, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PloydError('E_K8S_API', `${op} ${describe(ref)}: cannot reach the API server: ${message}`, where, { cause: err });
}

const isNotFound = (err: unknown): boolean => (isApiError(err) && err.code === 404) || isKindNotInstalled(err);

/** Plain JSON copy: the client returns typed class instances with Date fields. */
const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

/**
 * Applies objects with server-side apply through `@kubernetes/client-node`: a PATCH with
 * `Content-Type: application/apply-patch+yaml` and `fieldManager`, so the API server merges
 * field ownership the way `kubectl apply --server-side` does.
 *
 * @example
 * const applier = createKubernetesApplier({ kubeConfig });
 * await applier.apply(renderKubernetes(md));
 */
export function createKubernetesApplier(options: KubernetesApplierOptions): KubernetesApplier {
  let clientP: Promise<KubernetesObjectApi> | undefined;
  const api = (): Promise<KubernetesObjectApi> => (clientP ??= loadClientLib().then((lib) => lib.KubernetesObjectApi.makeApiClient(options.kubeConfig)));
  const fieldManager = options.fieldManager ?? 'ployd';
  const force = options.force ?? true;
  const dryRunFirst = options.dryRunFirst ?? true;
  const log = (options.logger ?? rootLogger()).child({ component: 'kubernetes-applier' });

  // The client fills defaults into the object it is given (namespace, apiVersion): hand it copies.
  const ssa = async (obj: ObjectRef, dryRun: boolean, manager = fieldManager): Promise<Json> => {
    const { PatchStrategy } = await loadClientLib();
    return plain(await (await api()).patch(structuredClone(obj) as never, undefined, dryRun ? 'All' : undefined, manager, force, PatchStrategy.ServerSideApply));
  };

  return {
    async apply(objects) {
      if (dryRunFirst) {
        for (const o of objects) {
          try {
            await ssa(o, true);
          } catch (err) {
            throw toPloydError(err, 'dry-run apply', o);
          }
        }
      }
      const live: Json[] = [];
      for (const o of objects) {
        try {
          live.push(await ssa(o, false));
          log.debug({ object: describe(o) }, 'applied');
        } catch (err) {
          throw toPloydError(err, 'apply', o);
        }
      }
      return live;
    },

    async scale(ref, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0) throw new PloydError('E_VALIDATION', `replicas must be a non-negative integer, got ${replicas}`);
      const body = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.metadata.name, ...(ref.metadata.namespace ? { namespace: ref.metadata.namespace } : {}) }, spec: { replicas } };
      try {
        // A separate manager: applying only spec.replicas as `ployd` would release every other field it owns.
        await ssa(body, false, `${fieldManager}-scale`);
      } catch (err) {
        throw toPloydError(err, 'scale', ref);
      }
    },

    async read(ref) {
      try {
        return plain(await (await api()).read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.metadata.name, ...(ref.metadata.namespace ? { namespace: ref.metadata.namespace } : {}) } }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw toPloydError(err, 'read', ref);
      }
    },

    async list(apiVersion, kind, namespace, labelSelector) {
      try {
        const res = await (await api()).list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
        return (res.items ?? []).map((i) => ({ apiVersion, kind, ...plain(i) }));
      } catch (err) {
        if (isKindNotInstalled(err)) return [];
        throw toPloydError(err, 'list', { apiVersion, kind, metadata: { name: '*', namespace } });
      }
    },

    async delete(refs) {
      const deleted: ObjectRef[] = [];
      for (const ref of refs) {
        try {
          await (await api()).delete(structuredClone(ref), undefined, undefined, undefined, undefined, 'Background');
          deleted.push(ref);
        } catch (err) {
          if (isNotFound(err)) continue;
          throw toPloydError(err, 'delete', ref);
        }
      }
      return deleted;
    },
  };
}
