import type { RegisterModelInput, TrackDeploymentInput } from '../../sdk/index.ts';
import { perm } from '../rbac-objects.ts';
import { defineRoute, type AnyRoute } from '../route-table.ts';
import {
  DeploymentRecordSchema,
  LineageQuery,
  ModelVersionSchema,
  NameParams,
  PageQuery,
  Pages,
  RegisterModelBody,
  RegistryModelSchema,
  StageBody,
  TrackDeploymentBody,
  VersionParams,
} from '../schemas.ts';
import { defined, filterPage, versionOption } from './helpers.ts';

/** Registry objects are model names: `p, role:ml, registry, *, llama-*, allow` grants a family. */
export const REGISTRY_ROUTES: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'registerModel',
    method: 'post',
    path: '/registry/models',
    tag: 'ModelRegistry',
    summary: 'Register a model version (name, version, path, framework, metadata)',
    body: RegisterModelBody,
    response: { status: 201, schema: ModelVersionSchema, name: 'ModelVersion' },
    rbac: 'registry, create, <model>',
    permission: ({ body }) => perm('registry', 'create', (body as RegisterModelInput).name),
    handle: async ({ rawBody, ployd, actor }) => {
      const v = await ployd.modelRegistry.registerModel(rawBody as RegisterModelInput, actor);
      return { body: v, etag: v.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'listRegistryModels',
    method: 'get',
    path: '/registry/models',
    tag: 'ModelRegistry',
    summary: 'List registered models the caller may get',
    query: PageQuery,
    response: { status: 200, schema: Pages.registryModels, name: 'RegistryModelPage' },
    rbac: 'registry, get, <model> (per item)',
    permission: () => 'authenticated',
    handle: async ({ query, ployd, can }) => ({
      body: await filterPage(await ployd.modelRegistry.listModels(defined(query)), (m) => can(perm('registry', 'get', m.name))),
    }),
  }),
  defineRoute({
    operationId: 'getRegistryModel',
    method: 'get',
    path: '/registry/models/{name}',
    tag: 'ModelRegistry',
    summary: 'A registered model: latest and production versions',
    params: NameParams,
    response: { status: 200, schema: RegistryModelSchema, name: 'RegistryModel' },
    rbac: 'registry, get, <model>',
    permission: ({ params }) => perm('registry', 'get', params.name),
    handle: async ({ params, ployd }) => {
      const m = await ployd.modelRegistry.getModel(params.name);
      return { body: m, etag: m.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'listModelVersions',
    method: 'get',
    path: '/registry/models/{name}/versions',
    tag: 'ModelRegistry',
    summary: 'Versions of a registered model',
    params: NameParams,
    query: PageQuery,
    response: { status: 200, schema: Pages.versions, name: 'ModelVersionPage' },
    rbac: 'registry, get, <model>',
    permission: ({ params }) => perm('registry', 'get', params.name),
    handle: async ({ params, query, ployd }) => ({ body: await ployd.modelRegistry.listVersions(params.name, defined(query)) }),
  }),
  defineRoute({
    operationId: 'getModelVersion',
    method: 'get',
    path: '/registry/models/{name}/versions/{version}',
    tag: 'ModelRegistry',
    summary: 'One version of a registered model',
    params: VersionParams,
    response: { status: 200, schema: ModelVersionSchema, name: 'ModelVersion' },
    rbac: 'registry, get, <model>',
    permission: ({ params }) => perm('registry', 'get', params.name),
    handle: async ({ params, ployd }) => {
      const v = await ployd.modelRegistry.getVersion(params.name, params.version);
      return { body: v, etag: v.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'setModelStage',
    method: 'put',
    path: '/registry/models/{name}/versions/{version}/stage',
    tag: 'ModelRegistry',
    summary: 'Move a version to none, staging, production or archived (one production version at a time)',
    params: VersionParams,
    body: StageBody,
    conditional: true,
    response: { status: 200, schema: ModelVersionSchema, name: 'ModelVersion' },
    rbac: 'registry, update, <model>',
    permission: ({ params }) => perm('registry', 'update', params.name),
    handle: async ({ params, body, ployd, actor, expectedVersion }) => {
      const v = await ployd.modelRegistry.setStage(params.name, params.version, body.stage, actor, versionOption(expectedVersion));
      return { body: v, etag: v.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'trackDeployment',
    method: 'post',
    path: '/registry/deployments',
    tag: 'ModelRegistry',
    summary: 'Record that a version now runs in an environment (ends the previous span there)',
    body: TrackDeploymentBody,
    response: { status: 201, schema: DeploymentRecordSchema, name: 'DeploymentRecord' },
    rbac: 'registry, update, <model>',
    permission: ({ body }) => perm('registry', 'update', (body).model),
    handle: async ({ rawBody, ployd, actor }) => ({ body: await ployd.modelRegistry.trackDeployment(rawBody as TrackDeploymentInput, actor) }),
  }),
  defineRoute({
    operationId: 'getLineage',
    method: 'get',
    path: '/registry/models/{name}/lineage',
    tag: 'ModelRegistry',
    summary: 'Which version ran in which environment and when, newest first',
    params: NameParams,
    query: LineageQuery,
    response: { status: 200, schema: Pages.lineage, name: 'DeploymentLineage' },
    rbac: 'registry, get, <model>',
    permission: ({ params }) => perm('registry', 'get', params.name),
    handle: async ({ params, query, ployd }) => ({ body: { items: await ployd.modelRegistry.lineage(params.name, defined(query)) } }),
  }),
];
