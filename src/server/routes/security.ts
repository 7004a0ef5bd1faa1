import { PloydError } from '../../errors/index.ts';
import type { CreateApiKeyInput, CreateTokenInput, Ployd, StoredPolicy } from '../../sdk/index.ts';
import { perm } from '../rbac-objects.ts';
import { defineRoute, type AnyRoute, type Permission } from '../route-table.ts';
import {
  ApiKeyInfoSchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  CreatedTokenSchema,
  CreateTokenBody,
  EnforceBody,
  EnforceResultSchema,
  GlobalRbacBody,
  IdParams,
  KeyListQuery,
  NamespacedParams,
  NamespacePageQuery,
  NameParams,
  Pages,
  PolicyBody,
  ProjectBody,
  RbacProjectSchema,
  StoredPolicySchema,
  TokenInfoSchema,
  WhoAmISchema,
} from '../schemas.ts';
import { defined, filterPage, orUndefined, versionOption } from './helpers.ts';

async function policyAuthorized(
  input: { ployd: Ployd; authorize: (p: Permission) => Promise<void> },
  params: { namespace: string; name: string },
  action: string,
): Promise<StoredPolicy> {
  await input.authorize(perm('policies', action, `${params.namespace}/${params.name}`));
  const found = await orUndefined(input.ployd.security.getPolicy(params));
  if (!found) throw new PloydError('E_NOT_FOUND', `Policy ${params.namespace}/${params.name} not found`, { ...params });
  return found;
}

export const SECURITY_ROUTES: readonly AnyRoute[] = [
  // --- API keys for the gateway ------------------------------------------------------------------
  defineRoute({
    operationId: 'createApiKey',
    method: 'post',
    path: '/keys',
    tag: 'Security',
    summary: 'Create a gateway API key; the key is in this response only, stored hashed',
    body: CreateApiKeyBody,
    response: { status: 201, schema: CreatedApiKeySchema, name: 'CreatedApiKey' },
    rbac: 'keys, create, <key name>',
    permission: ({ body }) => perm('keys', 'create', (body as CreateApiKeyInput).name),
    handle: async ({ rawBody, ployd, actor }) => {
      const created = await ployd.security.createApiKey(rawBody as CreateApiKeyInput, actor);
      return { body: created, etag: created.info.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'listApiKeys',
    method: 'get',
    path: '/keys',
    tag: 'Security',
    summary: 'List API keys (never the keys themselves)',
    query: KeyListQuery,
    response: { status: 200, schema: Pages.keys, name: 'ApiKeyPage' },
    rbac: 'keys, get, <key name> (per item)',
    permission: () => 'authenticated',
    handle: async ({ query, ployd, can }) => ({
      body: await filterPage(await ployd.security.listApiKeys(defined(query)), (k) => can(perm('keys', 'get', k.name))),
    }),
  }),
  defineRoute({
    operationId: 'getApiKey',
    method: 'get',
    path: '/keys/{id}',
    tag: 'Security',
    summary: 'One API key by id (never the key itself)',
    params: IdParams,
    response: { status: 200, schema: ApiKeyInfoSchema, name: 'ApiKeyInfo' },
    rbac: 'keys, get, <key name>',
    permission: () => 'authenticated',
    handle: async ({ params, ployd, authorize }) => {
      const found = await orUndefined(ployd.security.getApiKey(params.id));
      await authorize(perm('keys', 'get', found?.name ?? params.id));
      if (!found) throw new PloydError('E_NOT_FOUND', `API key ${params.id} not found`, { id: params.id });
      return { body: found, etag: found.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'revokeApiKey',
    method: 'delete',
    path: '/keys/{id}',
    tag: 'Security',
    summary: 'Revoke an API key; the gateway refuses it from then on',
    params: IdParams,
    response: { status: 200, schema: ApiKeyInfoSchema, name: 'ApiKeyInfo' },
    rbac: 'keys, delete, <key name>',
    permission: () => 'authenticated',
    handle: async ({ params, ployd, authorize, actor }) => {
      const found = await orUndefined(ployd.security.getApiKey(params.id));
      await authorize(perm('keys', 'delete', found?.name ?? params.id));
      if (!found) throw new PloydError('E_NOT_FOUND', `API key ${params.id} not found`, { id: params.id });
      const info = await ployd.security.revokeApiKey(params.id, actor);
      return { body: info, etag: info.resourceVersion };
    },
  }),

  // --- control-API tokens --------------------------------------------------------------------------
  defineRoute({
    operationId: 'whoami',
    method: 'get',
    path: '/whoami',
    tag: 'Security',
    summary: 'The subject and groups of the calling token',
    response: { status: 200, schema: WhoAmISchema, name: 'WhoAmI' },
    rbac: 'any valid token',
    permission: () => 'authenticated',
    handle: ({ principal }) =>
      Promise.resolve({ body: { subject: principal.subject, groups: principal.groups, tokenId: principal.tokenId, name: principal.name } }),
  }),
  defineRoute({
    operationId: 'createToken',
    method: 'post',
    path: '/tokens',
    tag: 'Security',
    summary: 'Create a control-API token for a subject; the token is in this response only, stored hashed',
    body: CreateTokenBody,
    response: { status: 201, schema: CreatedTokenSchema, name: 'CreatedToken' },
    rbac: 'tokens, create, <subject>',
    permission: ({ body }) => perm('tokens', 'create', (body as CreateTokenInput).subject),
    handle: async ({ rawBody, ployd, actor }) => {
      const created = await ployd.security.createToken(rawBody as CreateTokenInput, actor);
      return { body: created, etag: created.info.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'listTokens',
    method: 'get',
    path: '/tokens',
    tag: 'Security',
    summary: 'List control-API tokens (never the tokens themselves)',
    query: KeyListQuery,
    response: { status: 200, schema: Pages.tokens, name: 'TokenPage' },
    rbac: 'tokens, get, <subject> (per item)',
    permission: () => 'authenticated',
    handle: async ({ query, ployd, can }) => ({
      body: await filterPage(await ployd.security.listTokens(defined(query)), (t) => can(perm('tokens', 'get', t.subject))),
    }),
  }),
  defineRoute({
    operationId: 'revokeToken',
    method: 'delete',
    path: '/tokens/{id}',
    tag: 'Security',
    summary: 'Revoke a control-API token',
    params: IdParams,
    response: { status: 200, schema: TokenInfoSchema, name: 'TokenInfo' },
    rbac: 'tokens, delete, <subject>',
    permission: () => 'authenticated',
    handle: async ({ params, ployd, authorize, actor }) => {
      // The token list is the only lookup by id the SDK offers; tokens are few.
      const all = await ployd.security.listTokens({ includeRevoked: true, limit: 1000 });
      const found = all.items.find((t) => t.id === params.id);
      await authorize(perm('tokens', 'delete', found?.subject ?? params.id));
      if (!found) throw new PloydError('E_NOT_FOUND', `token ${params.id} not found`, { id: params.id });
      const info = await ployd.security.revokeToken(params.id, actor);
      return { body: info, etag: info.resourceVersion };
    },
  }),

  // --- CEL policies ------------------------------------------------------------------------------
  defineRoute({
    operationId: 'createPolicy',
    method: 'post',
    path: '/policies',
    tag: 'Security',
    summary: 'Create a CEL Policy',
    body: PolicyBody,
    response: { status: 201, schema: StoredPolicySchema, name: 'StoredPolicy' },
    rbac: 'policies, create, <namespace>/<name>',
    permission: ({ body }) => {
      const m = (body as { metadata: { name: string; namespace?: string } }).metadata;
      return perm('policies', 'create', `${m.namespace ?? 'default'}/${m.name}`);
    },
    handle: async ({ rawBody, ployd, actor }) => {
      const p = await ployd.security.createPolicy(rawBody as Record<string, unknown>, actor);
      return { body: p, etag: p.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'listPolicies',
    method: 'get',
    path: '/policies',
    tag: 'Security',
    summary: 'List CEL Policies',
    query: NamespacePageQuery,
    response: { status: 200, schema: Pages.policies, name: 'PolicyPage' },
    rbac: 'policies, get, <namespace>/<name> (per item)',
    permission: () => 'authenticated',
    handle: async ({ query, ployd, can }) => ({
      body: await filterPage(await ployd.security.listPolicies(defined(query)), (p) => can(perm('policies', 'get', `${p.namespace}/${p.name}`))),
    }),
  }),
  defineRoute({
    operationId: 'getPolicy',
    method: 'get',
    path: '/policies/{namespace}/{name}',
    tag: 'Security',
    summary: 'One CEL Policy',
    params: NamespacedParams,
    response: { status: 200, schema: StoredPolicySchema, name: 'StoredPolicy' },
    rbac: 'policies, get, <namespace>/<name>',
    permission: () => 'authenticated',
    handle: async (input) => {
      const p = await policyAuthorized(input, input.params, 'get');
      return { body: p, etag: p.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'deletePolicy',
    method: 'delete',
    path: '/policies/{namespace}/{name}',
    tag: 'Security',
    summary: 'Delete a CEL Policy',
    params: NamespacedParams,
    conditional: true,
    response: { status: 204 },
    rbac: 'policies, delete, <namespace>/<name>',
    permission: () => 'authenticated',
    handle: async (input) => {
      await policyAuthorized(input, input.params, 'delete');
      await input.ployd.security.deletePolicy(input.params, input.actor, versionOption(input.expectedVersion));
      return { status: 204 };
    },
  }),

  // --- RBAC (Project roles as Casbin lines) --------------------------------------------------------
  defineRoute({
    operationId: 'applyRbac',
    method: 'put',
    path: '/projects/{name}/rbac',
    tag: 'Security',
    summary: "Store a Project's roles as Casbin lines (replacing that project's previous lines)",
    params: NameParams,
    body: ProjectBody,
    conditional: true,
    response: { status: 200, schema: RbacProjectSchema, name: 'RbacProject' },
    rbac: 'projects, update, <project>',
    permission: ({ params }) => perm('projects', 'update', params.name),
    handle: async ({ params, body, rawBody, ployd, actor, expectedVersion }) => {
      const name = (body as { metadata: { name: string } }).metadata.name;
      if (name !== params.name) {
        throw new PloydError('E_VALIDATION', `body names project ${name} but the path ${params.name}`, {
          issues: [{ path: 'metadata.name', message: `must be ${params.name}` }],
        });
      }
      const r = await ployd.security.applyRbac(rawBody as Record<string, unknown>, actor, versionOption(expectedVersion));
      return { body: r, etag: r.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'getRbac',
    method: 'get',
    path: '/projects/{name}/rbac',
    tag: 'Security',
    summary: "A project's Casbin lines",
    params: NameParams,
    response: { status: 200, schema: RbacProjectSchema, name: 'RbacProject' },
    rbac: 'projects, get, <project>',
    permission: ({ params }) => perm('projects', 'get', params.name),
    handle: async ({ params, ployd }) => {
      const r = await ployd.security.getRbac(params.name);
      return { body: r, etag: r.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'setGlobalRbac',
    method: 'put',
    path: '/rbac/global',
    tag: 'Security',
    summary: 'Replace the global Casbin lines (e.g. `g, alice, role:admin`)',
    body: GlobalRbacBody,
    conditional: true,
    response: { status: 200, schema: RbacProjectSchema, name: 'RbacProject' },
    rbac: 'projects, update, *',
    permission: () => perm('projects', 'update', '*'),
    handle: async ({ body, ployd, actor, expectedVersion }) => {
      const r = await ployd.security.setGlobalRbac(body.lines, actor, versionOption(expectedVersion));
      return { body: r, etag: r.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'getGlobalRbac',
    method: 'get',
    path: '/rbac/global',
    tag: 'Security',
    summary: 'The global Casbin lines',
    response: { status: 200, schema: RbacProjectSchema, name: 'RbacProject' },
    rbac: 'projects, get, *',
    permission: () => perm('projects', 'get', '*'),
    handle: async ({ ployd }) => {
      const r = await ployd.security.getRbac('*');
      return { body: r, etag: r.resourceVersion };
    },
  }),
  defineRoute({
    operationId: 'enforce',
    method: 'post',
    path: '/rbac/enforce',
    tag: 'Security',
    summary: 'Would a subject with these groups be allowed? (`argocd account can-i`; about yourself needs no permission)',
    body: EnforceBody,
    response: { status: 200, schema: EnforceResultSchema, name: 'EnforceResult' },
    rbac: 'none about the caller itself; projects, get, * about anyone else',
    permission: () => 'authenticated',
    handle: async ({ body, principal, ployd, authorize }) => {
      const self = body.subject === principal.subject && body.groups.every((g) => principal.groups.includes(g));
      if (!self) await authorize(perm('projects', 'get', '*'));
      return { body: { allowed: await ployd.security.enforce({ subject: body.subject, groups: body.groups }, body.resource, body.action, body.object) } };
    },
  }),
];
