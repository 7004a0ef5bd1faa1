import { PloydError } from '../../errors/index.ts';
import type {
  Actor,
  AIGateway,
  AlertRules,
  ApiKeyInfo,
  ApiKeyListOptions,
  AuditEntry,
  AuditLog,
  AuditQuery,
  CreateApiKeyInput,
  CreatedApiKey,
  CreatedToken,
  CreateTokenInput,
  DeployModelInput,
  DeploymentRecord,
  LineageOptions,
  MetricQuery,
  MetricSample,
  MetricSampleInput,
  ModelListOptions,
  ModelRegistry,
  ModelServing,
  ModelStatus,
  ModelVersion,
  Monitoring,
  ObjectRef,
  Page,
  PageOptions,
  Ployd,
  Principal,
  RbacAction,
  RbacProject,
  RbacResource,
  RegisterModelInput,
  RegistryModel,
  RegistryStage,
  RouteListOptions,
  Security,
  SetupAlertsInput,
  StoredModelDeployment,
  StoredPolicy,
  StoredRoute,
  TokenInfo,
  TokenPrincipal,
  TrackDeploymentInput,
  WriteOptions,
} from '../types.ts';
import type { ApiKeyVerifier } from '../../gateway/index.ts';
import type { Project } from '../../resources/index.ts';
import { Transport, type TransportOptions } from './transport.ts';

const API = '/api/v1';
const DEFAULT_NS = 'default';

function seg(s: string): string {
  return encodeURIComponent(s);
}

function nsName(ref: ObjectRef): string {
  return `${seg(ref.namespace ?? DEFAULT_NS)}/${seg(ref.name)}`;
}

function pageQuery(o: PageOptions | undefined): Record<string, number | string | undefined> {
  return { limit: o?.limit, cursor: o?.cursor };
}

/**
 * The identity of every change is the token's subject: the server attributes it. The actor's
 * `via: 'cli'` is passed on so the audit log says the change came through the CLI.
 */
function via(actor: Actor | undefined): { via?: Actor['via'] } {
  return actor?.via === 'cli' ? { via: 'cli' } : {};
}

export class HttpModelServing implements ModelServing {
  readonly #t: Transport;
  constructor(t: Transport) {
    this.#t = t;
  }

  /**
   * Deploys (creates or updates) a model from a ModelDeployment manifest or seed 001's keywords.
   *
   * @example
   * await client.modelServing.deployModel({ name: 'llama-7b-chat', modelPath: 's3://models/llama-7b', framework: 'vllm', gpuCount: 2 });
   */
  deployModel(input: DeployModelInput, actor?: Actor, options: WriteOptions = {}): Promise<StoredModelDeployment> {
    return this.#t.request('POST', `${API}/models`, { body: input, resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * Sets the desired replica count.
   *
   * @example
   * await client.modelServing.scaleModel({ name: 'llama-7b-chat', namespace: 'production' }, 4);
   */
  scaleModel(ref: ObjectRef, replicas: number, actor?: Actor, options: WriteOptions = {}): Promise<StoredModelDeployment> {
    return this.#t.request('PUT', `${API}/models/${nsName(ref)}/scale`, { body: { replicas }, resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * One ModelDeployment.
   *
   * @example
   * const m = await client.modelServing.getModel({ name: 'llama-7b-chat' });
   */
  getModel(ref: ObjectRef): Promise<StoredModelDeployment> {
    return this.#t.request('GET', `${API}/models/${nsName(ref)}`);
  }

  /**
   * ModelDeployments the token may see, a page at a time.
   *
   * @example
   * const { items, nextCursor } = await client.modelServing.listModels({ namespace: 'staging', limit: 20 });
   */
  listModels(options: ModelListOptions = {}): Promise<Page<StoredModelDeployment>> {
    return this.#t.request('GET', `${API}/models`, { query: { ...pageQuery(options), namespace: options.namespace } });
  }

  /**
   * Deletes a ModelDeployment; with `resourceVersion`, only if unchanged.
   *
   * @example
   * await client.modelServing.deleteModel({ name: 'llama-7b-chat' }, undefined, { resourceVersion: 3 });
   */
  async deleteModel(ref: ObjectRef, actor?: Actor, options: WriteOptions = {}): Promise<void> {
    await this.#t.request('DELETE', `${API}/models/${nsName(ref)}`, { resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * Health and replicas as the runtime reports them.
   *
   * @example
   * const { health, readyReplicas } = await client.modelServing.getStatus({ name: 'llama-7b-chat' });
   */
  getStatus(ref: ObjectRef): Promise<ModelStatus> {
    return this.#t.request('GET', `${API}/models/${nsName(ref)}/status`);
  }
}

export class HttpAIGateway implements AIGateway {
  readonly #t: Transport;
  constructor(t: Transport) {
    this.#t = t;
  }

  /**
   * Creates a GatewayRoute (E_ALREADY_EXISTS when it exists).
   *
   * @example
   * await client.aiGateway.createRoute({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name: 'chat' },
   *   spec: { path: '/v1', models: [{ name: 'llama-7b-chat', weight: 100 }] } });
   */
  createRoute(manifest: Record<string, unknown>, actor?: Actor): Promise<StoredRoute> {
    return this.#t.request('POST', `${API}/routes`, { body: manifest, ...via(actor) });
  }

  /**
   * Replaces a GatewayRoute; `resourceVersion` makes it conditional (E_CONFLICT when stale).
   *
   * @example
   * const r = await client.aiGateway.getRoute({ name: 'chat' });
   * await client.aiGateway.updateRoute({ ...r.manifest, spec: newSpec }, undefined, { resourceVersion: r.resourceVersion });
   */
  updateRoute(manifest: Record<string, unknown>, actor?: Actor, options: WriteOptions = {}): Promise<StoredRoute> {
    const m = (manifest.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    if (typeof m.name !== 'string') throw new PloydError('E_VALIDATION', 'metadata.name is required', { issues: [{ path: 'metadata.name', message: 'required' }] });
    const ref = { name: m.name, ...(typeof m.namespace === 'string' ? { namespace: m.namespace } : {}) };
    return this.#t.request('PUT', `${API}/routes/${nsName(ref)}`, { body: manifest, resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * One GatewayRoute.
   *
   * @example
   * const r = await client.aiGateway.getRoute({ name: 'chat', namespace: 'production' });
   */
  getRoute(ref: ObjectRef): Promise<StoredRoute> {
    return this.#t.request('GET', `${API}/routes/${nsName(ref)}`);
  }

  /**
   * GatewayRoutes the token may see.
   *
   * @example
   * const { items } = await client.aiGateway.listRoutes();
   */
  listRoutes(options: RouteListOptions = {}): Promise<Page<StoredRoute>> {
    return this.#t.request('GET', `${API}/routes`, { query: { ...pageQuery(options), namespace: options.namespace } });
  }

  /**
   * Deletes a GatewayRoute.
   *
   * @example
   * await client.aiGateway.deleteRoute({ name: 'chat' });
   */
  async deleteRoute(ref: ObjectRef, actor?: Actor, options: WriteOptions = {}): Promise<void> {
    await this.#t.request('DELETE', `${API}/routes/${nsName(ref)}`, { resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * Asks the server to publish its route table to the gateway now.
   *
   * @example
   * await client.aiGateway.republish();
   */
  async republish(): Promise<void> {
    await this.#t.request('POST', `${API}/gateway/republish`);
  }
}

export class HttpModelRegistry implements ModelRegistry {
  readonly #t: Transport;
  constructor(t: Transport) {
    this.#t = t;
  }

  /**
   * Registers a model version.
   *
   * @example
   * await client.modelRegistry.registerModel({ name: 'llama-7b-chat', version: 'v2.1', path: 's3://company-models/llama-7b-chat-v2.1',
   *   framework: 'vllm', metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready'] } });
   */
  registerModel(input: RegisterModelInput, actor?: Actor): Promise<ModelVersion> {
    return this.#t.request('POST', `${API}/registry/models`, { body: input, ...via(actor) });
  }

  /**
   * A registered model with its latest and production versions.
   *
   * @example
   * const { productionVersion } = await client.modelRegistry.getModel('llama-7b-chat');
   */
  getModel(name: string): Promise<RegistryModel> {
    return this.#t.request('GET', `${API}/registry/models/${seg(name)}`);
  }

  /**
   * One version.
   *
   * @example
   * const v = await client.modelRegistry.getVersion('llama-7b-chat', 'v2.1');
   */
  getVersion(name: string, version: string): Promise<ModelVersion> {
    return this.#t.request('GET', `${API}/registry/models/${seg(name)}/versions/${seg(version)}`);
  }

  /**
   * Registered models.
   *
   * @example
   * const { items } = await client.modelRegistry.listModels({ limit: 50 });
   */
  listModels(options: PageOptions = {}): Promise<Page<RegistryModel>> {
    return this.#t.request('GET', `${API}/registry/models`, { query: pageQuery(options) });
  }

  /**
   * Versions of one model.
   *
   * @example
   * const { items } = await client.modelRegistry.listVersions('llama-7b-chat');
   */
  listVersions(name: string, options: PageOptions = {}): Promise<Page<ModelVersion>> {
    return this.#t.request('GET', `${API}/registry/models/${seg(name)}/versions`, { query: pageQuery(options) });
  }

  /**
   * Moves a version to a stage (none, staging, production, archived).
   *
   * @example
   * await client.modelRegistry.setStage('llama-7b-chat', 'v2.1', 'production');
   */
  setStage(name: string, version: string, stage: RegistryStage, actor?: Actor, options: WriteOptions = {}): Promise<ModelVersion> {
    return this.#t.request('PUT', `${API}/registry/models/${seg(name)}/versions/${seg(version)}/stage`, {
      body: { stage },
      resourceVersion: options.resourceVersion,
      ...via(actor),
    });
  }

  /**
   * Records that a version runs in an environment.
   *
   * @example
   * await client.modelRegistry.trackDeployment({ model: 'llama-7b-chat', version: 'v2.1', environment: 'production' });
   */
  trackDeployment(input: TrackDeploymentInput, actor?: Actor): Promise<DeploymentRecord> {
    return this.#t.request('POST', `${API}/registry/deployments`, { body: input, ...via(actor) });
  }

  /**
   * Which version ran where and when, newest first.
   *
   * @example
   * const spans = await client.modelRegistry.lineage('llama-7b-chat', { environment: 'production' });
   */
  async lineage(name: string, options: LineageOptions = {}): Promise<DeploymentRecord[]> {
    const page = await this.#t.request<{ items: DeploymentRecord[] }>('GET', `${API}/registry/models/${seg(name)}/lineage`, {
      query: { environment: options.environment, version: options.version },
    });
    return page.items;
  }
}

export class HttpSecurity implements Security {
  readonly #t: Transport;
  constructor(t: Transport) {
    this.#t = t;
  }

  /**
   * Creates a CEL Policy.
   *
   * @example
   * await client.security.createPolicy({ apiVersion: 'ployd.ai/v1', kind: 'Policy', metadata: { name: 'no-root' },
   *   spec: { validations: [{ expression: 'true' }] } });
   */
  createPolicy(manifest: Record<string, unknown>, actor?: Actor): Promise<StoredPolicy> {
    return this.#t.request('POST', `${API}/policies`, { body: manifest, ...via(actor) });
  }

  /**
   * One Policy.
   *
   * @example
   * const p = await client.security.getPolicy({ name: 'no-root' });
   */
  getPolicy(ref: ObjectRef): Promise<StoredPolicy> {
    return this.#t.request('GET', `${API}/policies/${nsName(ref)}`);
  }

  /**
   * Policies.
   *
   * @example
   * const { items } = await client.security.listPolicies();
   */
  listPolicies(options: PageOptions & { readonly namespace?: string } = {}): Promise<Page<StoredPolicy>> {
    return this.#t.request('GET', `${API}/policies`, { query: { ...pageQuery(options), namespace: options.namespace } });
  }

  /**
   * Deletes a Policy.
   *
   * @example
   * await client.security.deletePolicy({ name: 'no-root' });
   */
  async deletePolicy(ref: ObjectRef, actor?: Actor, options: WriteOptions = {}): Promise<void> {
    await this.#t.request('DELETE', `${API}/policies/${nsName(ref)}`, { resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * Stores a Project's roles as Casbin lines.
   *
   * @example
   * await client.security.applyRbac({ apiVersion: 'ployd.ai/v1', kind: 'Project', metadata: { name: 'llm-models' },
   *   spec: { roles: [{ name: 'sre-team', policies: ['p, proj:llm-models:sre-team, applications, *, llm-models/*, allow'], groups: ['sre-team'] }] } });
   */
  applyRbac(project: Project | Record<string, unknown>, actor?: Actor, options: WriteOptions = {}): Promise<RbacProject> {
    const name = (project as { metadata?: { name?: unknown } }).metadata?.name;
    if (typeof name !== 'string') throw new PloydError('E_VALIDATION', 'metadata.name is required', { issues: [{ path: 'metadata.name', message: 'required' }] });
    return this.#t.request('PUT', `${API}/projects/${seg(name)}/rbac`, { body: project, resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * A project's Casbin lines (`*` for the global ones).
   *
   * @example
   * const { lines } = await client.security.getRbac('llm-models');
   */
  getRbac(project: string): Promise<RbacProject> {
    return project === '*' ? this.#t.request('GET', `${API}/rbac/global`) : this.#t.request('GET', `${API}/projects/${seg(project)}/rbac`);
  }

  /**
   * Replaces the global Casbin lines.
   *
   * @example
   * await client.security.setGlobalRbac(['g, alice, role:admin']);
   */
  setGlobalRbac(lines: readonly string[], actor?: Actor, options: WriteOptions = {}): Promise<RbacProject> {
    return this.#t.request('PUT', `${API}/rbac/global`, { body: { lines }, resourceVersion: options.resourceVersion, ...via(actor) });
  }

  /**
   * Whether a principal may do something (asking about others needs `projects, get, *`).
   *
   * @example
   * const ok = await client.security.enforce({ subject: 'bob', groups: ['ml-engineers'] }, 'applications', 'sync', 'llm-models/production/x');
   */
  async enforce(principal: Principal, resource: RbacResource, action: RbacAction, object: string): Promise<boolean> {
    const r = await this.#t.request<{ allowed: boolean }>('POST', `${API}/rbac/enforce`, {
      body: { subject: principal.subject, groups: principal.groups, resource, action, object },
    });
    return r.allowed;
  }

  /**
   * Throws E_FORBIDDEN naming the missing permission.
   *
   * @example
   * await client.security.authorize(me, 'applications', 'sync', 'llm-models/staging/x');
   */
  async authorize(principal: Principal, resource: RbacResource, action: RbacAction, object: string): Promise<void> {
    if (!(await this.enforce(principal, resource, action, object))) {
      throw new PloydError('E_FORBIDDEN', `permission denied: ${resource}, ${action}, ${object}`, { resource, action, object, subject: principal.subject });
    }
  }

  /**
   * Creates a gateway API key; `key` is returned this once.
   *
   * @example
   * const { key, info } = await client.security.createApiKey({ name: 'team-a', routes: ['chat'], rpm: 600 });
   */
  createApiKey(input: CreateApiKeyInput, actor?: Actor): Promise<CreatedApiKey> {
    return this.#t.request('POST', `${API}/keys`, { body: input, ...via(actor) });
  }

  /**
   * One API key's info (never the key).
   *
   * @example
   * const info = await client.security.getApiKey('k_abc123');
   */
  getApiKey(id: string): Promise<ApiKeyInfo> {
    return this.#t.request('GET', `${API}/keys/${seg(id)}`);
  }

  /**
   * API keys (never the keys).
   *
   * @example
   * const { items } = await client.security.listApiKeys({ includeRevoked: true });
   */
  listApiKeys(options: ApiKeyListOptions = {}): Promise<Page<ApiKeyInfo>> {
    return this.#t.request('GET', `${API}/keys`, { query: { ...pageQuery(options), includeRevoked: options.includeRevoked } });
  }

  /**
   * Revokes an API key.
   *
   * @example
   * await client.security.revokeApiKey(info.id);
   */
  revokeApiKey(id: string, actor?: Actor): Promise<ApiKeyInfo> {
    return this.#t.request('DELETE', `${API}/keys/${seg(id)}`, via(actor));
  }

  /**
   * Gateway keys are verified in-process by the gateway; no HTTP endpoint reveals whether a key
   * is valid, so this rejects with E_NOT_IMPLEMENTED_HERE.
   *
   * @example
   * await client.security.apiKeyVerifier.verify(key); // throws E_NOT_IMPLEMENTED_HERE
   */
  readonly apiKeyVerifier: ApiKeyVerifier = {
    verify: () =>
      Promise.reject(new PloydError('E_NOT_IMPLEMENTED_HERE', 'API keys are verified in-process by the gateway; PloydClient cannot verify them')),
  };

  /**
   * Creates a control-API token for a subject; `token` is returned this once.
   *
   * @example
   * const { token } = await client.security.createToken({ name: 'ci', subject: 'ci-bot', groups: ['ml-engineers'] });
   */
  createToken(input: CreateTokenInput, actor?: Actor): Promise<CreatedToken> {
    return this.#t.request('POST', `${API}/tokens`, { body: input, ...via(actor) });
  }

  /**
   * Control-API tokens (never the tokens).
   *
   * @example
   * const { items } = await client.security.listTokens();
   */
  listTokens(options: ApiKeyListOptions = {}): Promise<Page<TokenInfo>> {
    return this.#t.request('GET', `${API}/tokens`, { query: { ...pageQuery(options), includeRevoked: options.includeRevoked } });
  }

  /**
   * Revokes a control-API token.
   *
   * @example
   * await client.security.revokeToken(info.id);
   */
  revokeToken(id: string, actor?: Actor): Promise<TokenInfo> {
    return this.#t.request('DELETE', `${API}/tokens/${seg(id)}`, via(actor));
  }

  /**
   * Who a token stands for, or undefined when the server refuses it.
   *
   * @example
   * const me = await client.security.verifyToken(process.env.PLOYD_TOKEN!);
   */
  async verifyToken(token: string): Promise<TokenPrincipal | undefined> {
    try {
      return await this.#t.request<TokenPrincipal>('GET', `${API}/whoami`, { token });
    } catch (err) {
      if (err instanceof PloydError && (err.code === 'E_UNAUTHENTICATED' || err.code === 'E_TOKEN_EXPIRED')) return undefined;
      throw err;
    }
  }

  /**
   * Only the server creates the first admin token (`ployd server` prints it once); rejects with
   * E_NOT_IMPLEMENTED_HERE.
   *
   * @example
   * await client.security.ensureAdminToken(); // throws E_NOT_IMPLEMENTED_HERE
   */
  ensureAdminToken(): Promise<string | undefined> {
    return Promise.reject(new PloydError('E_NOT_IMPLEMENTED_HERE', 'the first admin token is created by `ployd server`, not over HTTP'));
  }
}

export class HttpMonitoring implements Monitoring {
  readonly #t: Transport;
  constructor(t: Transport) {
    this.#t = t;
  }

  /**
   * Prometheus alerting rules for PloyD's metrics.
   *
   * @example
   * const { yaml } = await client.monitoring.setupAlerts({ outOfSyncFor: '15m' });
   */
  setupAlerts(input: SetupAlertsInput = {}): Promise<AlertRules> {
    return this.#t.request('GET', `${API}/alerts/rules`, {
      query: { group: input.group, outOfSyncFor: input.outOfSyncFor, unhealthyFor: input.unhealthyFor, errorRateThreshold: input.errorRateThreshold },
    });
  }

  /**
   * Records measurements; returns how many were stored.
   *
   * @example
   * await client.monitoring.trackMetrics({ name: 'ployd_gateway_requests_total', value: 42, labels: { route: 'chat' } });
   */
  async trackMetrics(samples: MetricSampleInput | readonly MetricSampleInput[], actor?: Actor): Promise<number> {
    const r = await this.#t.request<{ recorded: number }>('POST', `${API}/metrics/samples`, { body: samples, ...via(actor) });
    return r.recorded;
  }

  /**
   * Samples of one metric, oldest first.
   *
   * @example
   * const samples = await client.monitoring.getMetrics({ name: 'ployd_gateway_requests_total', labels: { route: 'chat' } });
   */
  async getMetrics(query: MetricQuery): Promise<MetricSample[]> {
    const labels = Object.entries(query.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    const r = await this.#t.request<{ items: MetricSample[] }>('GET', `${API}/metrics/samples`, {
      query: {
        name: query.name,
        label: labels.length > 0 ? labels : undefined,
        from: query.from === undefined ? undefined : new Date(query.from as string | number | Date),
        to: query.to === undefined ? undefined : new Date(query.to as string | number | Date),
        limit: query.limit,
      },
    });
    return r.items;
  }
}

export class HttpAuditLog implements AuditLog {
  readonly #t: Transport;
  constructor(t: Transport) {
    this.#t = t;
  }

  /**
   * The audit log, newest first.
   *
   * @example
   * const { items } = await client.audit.list({ resource: 'ModelDeployment/production/', limit: 20 });
   */
  list(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    return this.#t.request('GET', `${API}/audit`, {
      query: {
        subject: query.subject,
        action: query.action,
        resource: query.resource,
        via: query.via,
        since: query.since === undefined ? undefined : new Date(query.since as string | number | Date),
        limit: query.limit,
        cursor: query.cursor,
      },
    });
  }
}

export type PloydClientOptions = TransportOptions;

/**
 * The PloyD SDK over HTTP: the same interface as the in-process SDK, talking to `ployd server`.
 * Changes are attributed to the token's subject by the server; the `actor` arguments of the
 * interface are accepted for compatibility and only their `via: 'cli'` is passed on.
 *
 * @example
 * import { PloydClient } from 'ployd';
 * const client = new PloydClient({ server: 'http://127.0.0.1:8080', token: process.env.PLOYD_TOKEN });
 * const { items } = await client.modelServing.listModels();
 * await client.close();
 */
export class PloydClient implements Ployd {
  // Typed as the HTTP classes, whose `actor` parameters are optional; they still satisfy `Ployd`.
  readonly modelServing: HttpModelServing;
  readonly aiGateway: HttpAIGateway;
  readonly modelRegistry: HttpModelRegistry;
  readonly security: HttpSecurity;
  readonly monitoring: HttpMonitoring;
  readonly audit: HttpAuditLog;
  readonly #transport: Transport;

  constructor(options: PloydClientOptions) {
    this.#transport = new Transport(options);
    this.modelServing = new HttpModelServing(this.#transport);
    this.aiGateway = new HttpAIGateway(this.#transport);
    this.modelRegistry = new HttpModelRegistry(this.#transport);
    this.security = new HttpSecurity(this.#transport);
    this.monitoring = new HttpMonitoring(this.#transport);
    this.audit = new HttpAuditLog(this.#transport);
  }

  /**
   * The server's base URL.
   *
   * @example
   * console.log(client.server); // http://127.0.0.1:8080
   */
  get server(): string {
    return this.#transport.server;
  }

  /**
   * Who the client's token stands for.
   *
   * @example
   * const { subject, groups } = await client.whoami();
   */
  whoami(): Promise<TokenPrincipal> {
    return this.#transport.request('GET', `${API}/whoami`);
  }

  /**
   * The server's OpenAPI 3.1 document.
   *
   * @example
   * const doc = await client.openapi();
   */
  openapi(): Promise<Record<string, unknown>> {
    return this.#transport.request('GET', `${API}/openapi.json`);
  }

  /**
   * Closes the connection pool.
   *
   * @example
   * await client.close();
   */
  close(): Promise<void> {
    return this.#transport.close();
  }
}
