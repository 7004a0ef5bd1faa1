import { PloydError } from '../../errors/index.ts';
import type { Ployd, StoredRoute } from '../../sdk/index.ts';
import { applicationObject, perm } from '../rbac-objects.ts';
import { defineRoute, type AnyRoute, type Permission } from '../route-table.ts';
import { NamespacedParams, NamespacePageQuery, Pages, RouteBody, StoredRouteSchema } from '../schemas.ts';
import { defined, filterPage, orUndefined, versionOption } from './helpers.ts';

async function loadAuthorized(
  input: { ployd: Ployd; authorize: (p: Permission) => Promise<void> },
  params: { namespace: string; name: string },
  action: string,
): Promise<StoredRoute> {
  const found = await orUndefined(input.ployd.aiGateway.getRoute(params));
  await input.authorize(perm('applications', action, applicationObject(params.namespace, params.name, found?.resource)));
  if (!found) throw new PloydError('E_NOT_FOUND', `GatewayRoute ${params.namespace}/${params.name} not found`, { ...params });
  return found;
}

interface RouteManifest {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
}

export const GATEWAY_ROUTES: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'listRoutes',
    method: 'get',
    path: '/routes',
    tag: 'AIGateway',
    summary: 'List GatewayRoutes the caller may get',
    query: NamespacePageQuery,
    response: { status: 200, schema: Pages.routes, name: 'GatewayRoutePage' },
    rbac: 'applications, get, <project>/<namespace>/<route> (per item)',
    permission: () => 'authenticated',
    handle: async ({ query, ployd, can }) => {
      const page = await ployd.aiGateway.listRoutes(defined(query));
      return { body: await filterPage(page, (r) => can(perm('applications', 'get', applicationObject(r.namespace, r.name, r.resource)))) };
    },
  }),
  defineRoute({
    operationId: 'createRoute',
    method: 'post',
    path: '/routes',
    tag: 'AIGateway',
    summary: 'Create a GatewayRoute (409 E_ALREADY_EXISTS when it exists)',
    body: RouteBody,
    response: { status: 201, schema: StoredRouteSchema, name: 'StoredGatewayRoute' },
    rbac: 'applications, sync, <project>/<namespace>/<route>',
    permission: ({ body }) => {
      const m = (body as RouteManifest).metadata;
      return perm('applications', 'sync', applicationObject(m.namespace ?? 'default', m.name, body));
    },
    handle: async ({ rawBody, ployd, actor }) => {
      const stored = await ployd.aiGateway.createRoute(rawBody as Record<string, unknown>, actor);
      return { body: stored, etag: stored.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'getRoute',
    method: 'get',
    path: '/routes/{namespace}/{name}',
    tag: 'AIGateway',
    summary: 'Get a GatewayRoute (ETag: its resourceVersion)',
    params: NamespacedParams,
    response: { status: 200, schema: StoredRouteSchema, name: 'StoredGatewayRoute' },
    rbac: 'applications, get, <project>/<namespace>/<route>',
    permission: () => 'authenticated',
    handle: async (input) => {
      const r = await loadAuthorized(input, input.params, 'get');
      return { body: r, etag: r.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'updateRoute',
    method: 'put',
    path: '/routes/{namespace}/{name}',
    tag: 'AIGateway',
    summary: 'Replace a GatewayRoute; If-Match or metadata.resourceVersion makes it conditional (409 E_CONFLICT when stale)',
    params: NamespacedParams,
    body: RouteBody,
    conditional: true,
    response: { status: 200, schema: StoredRouteSchema, name: 'StoredGatewayRoute' },
    rbac: 'applications, sync, <project>/<namespace>/<route> (on the stored and the new object)',
    permission: () => 'authenticated',
    handle: async (input) => {
      const m = (input.body as RouteManifest).metadata;
      const ns = m.namespace ?? 'default';
      if (m.name !== input.params.name || ns !== input.params.namespace) {
        throw new PloydError('E_VALIDATION', `body names ${ns}/${m.name} but the path ${input.params.namespace}/${input.params.name}`, {
          issues: [{ path: 'metadata.name', message: `must be ${input.params.name} in namespace ${input.params.namespace}` }],
        });
      }
      await loadAuthorized(input, input.params, 'sync');
      await input.authorize(perm('applications', 'sync', applicationObject(ns, m.name, input.body)));
      const stored = await input.ployd.aiGateway.updateRoute(input.rawBody as Record<string, unknown>, input.actor, versionOption(input.expectedVersion));
      return { body: stored, etag: stored.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'deleteRoute',
    method: 'delete',
    path: '/routes/{namespace}/{name}',
    tag: 'AIGateway',
    summary: 'Delete a GatewayRoute (with If-Match: only if unchanged)',
    params: NamespacedParams,
    conditional: true,
    response: { status: 204 },
    rbac: 'applications, delete, <project>/<namespace>/<route>',
    permission: () => 'authenticated',
    handle: async (input) => {
      await loadAuthorized(input, input.params, 'delete');
      await input.ployd.aiGateway.deleteRoute(input.params, input.actor, versionOption(input.expectedVersion));
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'republishRoutes',
    method: 'post',
    path: '/gateway/republish',
    tag: 'AIGateway',
    summary: 'Publish the current route table to the gateway now (it is also published after every change)',
    response: { status: 204 },
    rbac: 'applications, sync, *',
    permission: () => perm('applications', 'sync', '*'),
    handle: async ({ ployd }) => {
      await ployd.aiGateway.republish();
      return { status: 204 };
    },
  }),
];
