import { PloydError } from '../../errors/index.ts';
import type { DeployModelInput, Ployd, StoredModelDeployment } from '../../sdk/index.ts';
import { applicationObject, perm } from '../rbac-objects.ts';
import { defineRoute, type AnyRoute, type Permission } from '../route-table.ts';
import { defined, filterPage, orUndefined, versionOption } from './helpers.ts';
import { DeployModelBody, ModelStatusSchema, NamespacedParams, NamespacePageQuery, Pages, ScaleBody, StoredModelDeploymentSchema } from '../schemas.ts';

const DEFAULT_NS = 'default';

interface Target {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string> | undefined;
}

/** Where a deploy body puts namespace, name and labels: manifest or seed 001's keywords. */
function targetOf(raw: unknown): Target {
  const r = raw as {
    metadata?: { name: string; namespace?: string; labels?: Record<string, string> };
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  if (r.metadata) return { namespace: r.metadata.namespace ?? DEFAULT_NS, name: r.metadata.name, labels: r.metadata.labels };
  return { namespace: r.namespace ?? DEFAULT_NS, name: r.name ?? '', labels: r.labels };
}

/**
 * Authorizes against the stored object's project, or — when it does not exist — against the
 * default project's object, so a caller without `get` learns nothing from a 404 vs 403.
 */
async function loadAuthorized(
  input: { ployd: Ployd; authorize: (p: Permission) => Promise<void> },
  params: { namespace: string; name: string },
  action: string,
): Promise<StoredModelDeployment> {
  const found = await orUndefined(input.ployd.modelServing.getModel(params));
  await input.authorize(perm('applications', action, applicationObject(params.namespace, params.name, found?.resource)));
  if (!found) throw new PloydError('E_NOT_FOUND', `ModelDeployment ${params.namespace}/${params.name} not found`, { ...params });
  return found;
}

function deployRoute(method: 'post' | 'put'): AnyRoute {
  return defineRoute({
    operationId: method === 'post' ? 'deployModel' : 'replaceModel',
    method,
    path: method === 'post' ? '/models' : '/models/{namespace}/{name}',
    tag: 'ModelServing',
    summary:
      method === 'post'
        ? 'Deploy a model (create or update) from a ModelDeployment manifest or seed 001 keywords'
        : 'Replace a ModelDeployment; the body names the same namespace and name as the path',
    ...(method === 'put' ? { params: NamespacedParams } : {}),
    body: DeployModelBody,
    conditional: true,
    response: { status: 200, schema: StoredModelDeploymentSchema, name: 'StoredModelDeployment', mayCreate: true },
    rbac: 'applications, sync, <project>/<namespace>/<app> (also on the stored object when it changes project)',
    permission: () => 'authenticated',
    handle: async ({ params, rawBody, expectedVersion, ployd, authorize, actor }) => {
      const target = targetOf(rawBody);
      const p = params as { namespace?: string; name?: string };
      if (p.name !== undefined && (p.name !== target.name || p.namespace !== target.namespace)) {
        throw new PloydError('E_VALIDATION', `body names ${target.namespace}/${target.name} but the path ${p.namespace}/${p.name}`, {
          issues: [{ path: 'metadata.name', message: `must be ${p.name} in namespace ${p.namespace}` }],
        });
      }
      await authorize(perm('applications', 'sync', applicationObject(target.namespace, target.name, { labels: target.labels })));
      const existing = await orUndefined(ployd.modelServing.getModel({ namespace: target.namespace, name: target.name }));
      if (existing) await authorize(perm('applications', 'sync', applicationObject(target.namespace, target.name, existing.resource)));
      const stored = await ployd.modelServing.deployModel(rawBody as DeployModelInput, actor, versionOption(expectedVersion));
      return { status: existing ? 200 : 201, body: stored, etag: stored.resourceVersion };
    },
  });
}

export const MODEL_ROUTES: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'listModels',
    method: 'get',
    path: '/models',
    tag: 'ModelServing',
    summary: 'List ModelDeployments the caller may get',
    query: NamespacePageQuery,
    response: { status: 200, schema: Pages.models, name: 'ModelDeploymentPage' },
    rbac: 'applications, get, <project>/<namespace>/<app> (per item; others are left out)',
    permission: () => 'authenticated',
    handle: async ({ query, ployd, can }) => {
      const page = await ployd.modelServing.listModels(defined(query));
      return { body: await filterPage(page, (m) => can(perm('applications', 'get', applicationObject(m.namespace, m.name, m.resource)))) };
    },
  }),
  deployRoute('post'),
  defineRoute({
    operationId: 'getModel',
    method: 'get',
    path: '/models/{namespace}/{name}',
    tag: 'ModelServing',
    summary: 'Get a ModelDeployment (ETag: its resourceVersion)',
    params: NamespacedParams,
    response: { status: 200, schema: StoredModelDeploymentSchema, name: 'StoredModelDeployment' },
    rbac: 'applications, get, <project>/<namespace>/<app>',
    permission: () => 'authenticated',
    handle: async (input) => {
      const m = await loadAuthorized(input, input.params, 'get');
      return { body: m, etag: m.resourceVersion };
    },
  }),
  deployRoute('put'),
  defineRoute({
    operationId: 'scaleModel',
    method: 'put',
    path: '/models/{namespace}/{name}/scale',
    tag: 'ModelServing',
    summary: 'Set the desired replica count',
    params: NamespacedParams,
    body: ScaleBody,
    conditional: true,
    response: { status: 200, schema: StoredModelDeploymentSchema, name: 'StoredModelDeployment' },
    rbac: 'applications, sync, <project>/<namespace>/<app>',
    permission: () => 'authenticated',
    handle: async (input) => {
      await loadAuthorized(input, input.params, 'sync');
      const m = await input.ployd.modelServing.scaleModel(input.params, input.body.replicas, input.actor, versionOption(input.expectedVersion));
      return { body: m, etag: m.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'deleteModel',
    method: 'delete',
    path: '/models/{namespace}/{name}',
    tag: 'ModelServing',
    summary: 'Delete a ModelDeployment (with If-Match: only if unchanged)',
    params: NamespacedParams,
    conditional: true,
    response: { status: 204 },
    rbac: 'applications, delete, <project>/<namespace>/<app>',
    permission: () => 'authenticated',
    handle: async (input) => {
      await loadAuthorized(input, input.params, 'delete');
      await input.ployd.modelServing.deleteModel(input.params, input.actor, versionOption(input.expectedVersion));
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'getModelStatus',
    method: 'get',
    path: '/models/{namespace}/{name}/status',
    tag: 'ModelServing',
    summary: 'Health and replicas as the runtime reports them (Unknown, saying why, when no runtime is attached)',
    params: NamespacedParams,
    response: { status: 200, schema: ModelStatusSchema, name: 'ModelStatus' },
    rbac: 'applications, get, <project>/<namespace>/<app>',
    permission: () => 'authenticated',
    handle: async (input) => {
      await loadAuthorized(input, input.params, 'get');
      return { body: await input.ployd.modelServing.getStatus(input.params) };
    },
  }),
];
