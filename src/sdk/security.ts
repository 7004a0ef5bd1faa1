import { PloydError } from '../errors/index.ts';
import type { ApiKeyPrincipal, ApiKeyVerifier } from '../gateway/index.ts';
import type { Policy, Project } from '../resources/index.ts';
import type { ApiKeyRecord, RbacRecord, TokenRecord } from '../store/index.ts';
import { audit, checkActor } from './internal/audit.ts';
import { DEFAULT_NAMESPACE, type SdkContext } from './internal/context.ts';
import { specHash } from './internal/hash.ts';
import { hashMatches, newSecret, secretId, sha256Hex, type SecretKind } from './internal/secrets.ts';
import { applicationOf, auditSnapshot, resourceId, toStored } from './internal/stored.ts';
import { parseInput, parseManifest, validationError } from './internal/validate.ts';
import { RbacEnforcer } from './rbac/enforcer.ts';
import { parseLines, projectLines } from './rbac/policy-lines.ts';
import {
  ApiKeyListQuerySchema,
  CreateApiKeyInputSchema,
  CreateTokenInputSchema,
  ModelListQuerySchema,
  ObjectRefSchema,
  PrincipalSchema,
  WriteOptionsSchema,
} from './schemas.ts';
import {
  SYSTEM_ACTOR,
  type Actor,
  type ApiKeyInfo,
  type ApiKeyListOptions,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type CreatedToken,
  type CreateTokenInput,
  type ObjectRef,
  type Page,
  type PageOptions,
  type Principal,
  type RbacAction,
  type RbacProject,
  type RbacResource,
  type Security,
  type StoredPolicy,
  type TokenInfo,
  type TokenPrincipal,
  type WriteOptions,
} from './types.ts';

const POLICY_KIND = 'Policy';
/** Where global lines (e.g. `g, alice, role:admin`) are stored. */
export const GLOBAL_RBAC = '*';
const ADMIN_BOOTSTRAP_KEY = 'bootstrap.admin-token';

export interface SecurityOptions {
  /** How long a looked-up key or token row is trusted before the store is asked again (default 5 s). */
  readonly credentialCacheTtlMs?: number;
  /** How often the RBAC fingerprint is checked for changes by other replicas (default 1 s). */
  readonly rbacRecheckMs?: number;
}

function toKeyInfo(r: ApiKeyRecord): ApiKeyInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    routes: r.routes,
    tiers: r.tiers,
    ...(r.rpm !== null ? { rpm: r.rpm } : {}),
    ...(r.tpm !== null ? { tpm: r.tpm } : {}),
    ...(r.expiresAt !== null ? { expiresAt: r.expiresAt } : {}),
    ...(r.revokedAt !== null ? { revokedAt: r.revokedAt } : {}),
    createdBy: r.createdBy,
    resourceVersion: r.resourceVersion,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toTokenInfo(r: TokenRecord): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    subject: r.subject,
    groups: r.groups,
    ...(r.expiresAt !== null ? { expiresAt: r.expiresAt } : {}),
    ...(r.revokedAt !== null ? { revokedAt: r.revokedAt } : {}),
    ...(r.lastUsedAt !== null ? { lastUsedAt: r.lastUsedAt } : {}),
    createdBy: r.createdBy,
    resourceVersion: r.resourceVersion,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toRbac(r: RbacRecord): RbacProject {
  return { project: r.project, lines: r.lines, resourceVersion: r.resourceVersion, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/** A tiny TTL cache of credential rows by id; `undefined` (unknown id) is cached too. */
class CredentialCache<T> {
  readonly #ttl: number;
  readonly #entries = new Map<string, { value: T | undefined; at: number }>();

  constructor(ttl: number) {
    this.#ttl = ttl;
  }

  async get(id: string, load: (id: string) => Promise<T | undefined>): Promise<T | undefined> {
    const now = Date.now();
    const hit = this.#entries.get(id);
    if (hit && now - hit.at < this.#ttl) return hit.value;
    const value = await load(id);
    // Bounded: a flood of random ids must not grow memory without limit.
    if (this.#entries.size >= 10_000) this.#entries.clear();
    this.#entries.set(id, { value, at: now });
    return value;
  }

  invalidate(id: string): void {
    this.#entries.delete(id);
  }
}

/**
 * Security: Policies (CEL rules as resources), RBAC in Argo CD's Casbin vocabulary, gateway API
 * keys and control-API tokens. Secrets are shown once and stored as sha256 only; verification
 * compares hashes in constant time.
 */
export class SecurityService implements Security {
  readonly #ctx: SdkContext;
  readonly #keys: CredentialCache<ApiKeyRecord>;
  readonly #tokens: CredentialCache<TokenRecord>;
  readonly #rbacRecheckMs: number;
  #rbac: { enforcer: Promise<RbacEnforcer>; fingerprint: string; checkedAt: number } | undefined;
  readonly apiKeyVerifier: ApiKeyVerifier;

  constructor(ctx: SdkContext, options: SecurityOptions = {}) {
    this.#ctx = ctx;
    this.#keys = new CredentialCache(options.credentialCacheTtlMs ?? 5000);
    this.#tokens = new CredentialCache(options.credentialCacheTtlMs ?? 5000);
    this.#rbacRecheckMs = options.rbacRecheckMs ?? 1000;
    this.apiKeyVerifier = { verify: (key) => this.#verifyApiKey(key) };
  }

  // --- policies ------------------------------------------------------------------------------

  /**
   * Stores a Policy resource (CEL validation rules the validator applies to config repos).
   *
   * @example
   * await ployd.security.createPolicy({
   *   apiVersion: 'ployd.ai/v1', kind: 'Policy', metadata: { name: 'no-root' },
   *   spec: { validations: [{ expression: 'object.spec.replicas <= 10', message: 'at most 10 replicas' }] },
   * }, actor);
   */
  async createPolicy(manifest: Record<string, unknown>, actor: Actor): Promise<StoredPolicy> {
    checkActor(actor);
    const { resource, manifest: written } = parseManifest(manifest, POLICY_KIND);
    const namespace = resource.metadata.namespace ?? DEFAULT_NAMESPACE;
    const policy: Policy = { ...resource, metadata: { ...resource.metadata, namespace } };
    const key = { kind: POLICY_KIND, namespace, name: policy.metadata.name };
    const rec = await this.#ctx.store.transaction(async (tx) => {
      const after = await tx.resources.create(key, {
        apiVersion: policy.apiVersion,
        spec: policy,
        manifest: written,
        labels: policy.metadata.labels ?? {},
        application: applicationOf(policy.metadata.labels),
        hash: specHash(policy),
      });
      await audit(tx, actor, 'policy.create', resourceId(POLICY_KIND, namespace, key.name), undefined, auditSnapshot(after));
      return after;
    });
    return toStored<Policy>(rec);
  }

  /**
   * @example
   * const p = await ployd.security.getPolicy({ name: 'no-root' });
   */
  async getPolicy(ref: ObjectRef): Promise<StoredPolicy> {
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'policy reference');
    return toStored<Policy>(await this.#ctx.store.resources.require({ kind: POLICY_KIND, namespace, name }));
  }

  /**
   * @example
   * const { items } = await ployd.security.listPolicies();
   */
  async listPolicies(options: PageOptions & { readonly namespace?: string } = {}): Promise<Page<StoredPolicy>> {
    const q = parseInput(ModelListQuerySchema, options, 'list options');
    const page = await this.#ctx.store.resources.list({ kind: POLICY_KIND, ...q });
    return { items: page.items.map((r) => toStored<Policy>(r)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * @example
   * await ployd.security.deletePolicy({ name: 'no-root' }, actor);
   */
  async deletePolicy(ref: ObjectRef, actor: Actor, options: WriteOptions = {}): Promise<void> {
    checkActor(actor);
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'policy reference');
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    await this.#ctx.store.transaction(async (tx) => {
      const before = await tx.resources.delete({ kind: POLICY_KIND, namespace, name }, opts.resourceVersion);
      await audit(tx, actor, 'policy.delete', resourceId(POLICY_KIND, namespace, name), auditSnapshot(before), undefined);
    });
  }

  // --- RBAC ----------------------------------------------------------------------------------

  /**
   * Stores a Project's roles as Casbin lines exactly as Argo CD writes them, replacing the
   * project's previous lines. Accepts a Project or an Argo CD AppProject manifest.
   *
   * @example
   * await ployd.security.applyRbac({
   *   apiVersion: 'ployd.ai/v1', kind: 'Project', metadata: { name: 'llm-models' },
   *   spec: { roles: [{ name: 'ml-engineers', groups: ['ml-engineers'], policies: [
   *     'p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow',
   *   ] }] },
   * }, actor);
   */
  async applyRbac(project: Project | Record<string, unknown>, actor: Actor, options: WriteOptions = {}): Promise<RbacProject> {
    checkActor(actor);
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    const { resource } = parseManifest(project, 'Project');
    const name = resource.metadata.name;
    const { lines, issues } = projectLines(name, resource.spec.roles);
    if (issues.length > 0) throw validationError(`RBAC of project ${name}`, issues);
    return this.#putRbac(name, lines, actor, opts.resourceVersion);
  }

  /**
   * @example
   * const { lines } = await ployd.security.getRbac('llm-models');
   */
  async getRbac(project: string): Promise<RbacProject> {
    const rec = await this.#ctx.store.rbac.get(project);
    if (!rec) throw new PloydError('E_NOT_FOUND', `no RBAC stored for project ${project}`, { resource: `Rbac/${project}` });
    return toRbac(rec);
  }

  /**
   * Replaces the global lines: role bindings such as `g, alice, role:admin` and custom roles.
   *
   * @example
   * await ployd.security.setGlobalRbac(['g, sre-team, role:admin', 'g, everyone, role:readonly'], actor);
   */
  async setGlobalRbac(lines: readonly string[], actor: Actor, options: WriteOptions = {}): Promise<RbacProject> {
    checkActor(actor);
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    const parsed = parseLines(lines);
    if (parsed.issues.length > 0) throw validationError('global RBAC', parsed.issues);
    const normalised = [
      ...parsed.policies.map((p) => `p, ${p.subject}, ${p.resource}, ${p.action}, ${p.object}, ${p.effect}`),
      ...parsed.groupings.map((g) => `g, ${g.member}, ${g.role}`),
    ];
    return this.#putRbac(GLOBAL_RBAC, normalised, actor, opts.resourceVersion);
  }

  async #putRbac(project: string, lines: string[], actor: Actor, expected: number | undefined): Promise<RbacProject> {
    const rec = await this.#ctx.store.transaction(async (tx) => {
      const before = await tx.rbac.get(project);
      const after = await tx.rbac.put(project, lines, expected);
      await audit(tx, actor, 'rbac.apply', `Rbac/${project}`, before ? { resourceVersion: before.resourceVersion, lines: before.lines } : undefined, {
        resourceVersion: after.resourceVersion,
        lines: after.lines,
      });
      return after;
    });
    this.#rbac = undefined;
    return toRbac(rec);
  }

  async #enforcer(): Promise<RbacEnforcer> {
    const now = Date.now();
    const cached = this.#rbac;
    if (cached && now - cached.checkedAt < this.#rbacRecheckMs) return cached.enforcer;
    const fingerprint = await this.#ctx.store.rbac.fingerprint();
    if (cached && cached.fingerprint === fingerprint) {
      cached.checkedAt = now;
      return cached.enforcer;
    }
    const enforcer = this.#ctx.store.rbac.all().then((rows) => RbacEnforcer.create(rows.flatMap((r) => r.lines)));
    this.#rbac = { enforcer, fingerprint, checkedAt: now };
    enforcer.catch(() => {
      if (this.#rbac?.enforcer === enforcer) this.#rbac = undefined;
    });
    return enforcer;
  }

  /**
   * Argo CD-style check: true when some policy of the principal's roles allows it and none
   * denies it. Objects are `project/environment/app` (or `*`-globs of them).
   *
   * @example
   * await ployd.security.enforce({ subject: 'alice', groups: ['ml-engineers'] }, 'applications', 'sync', 'llm-models/production/llama');
   */
  async enforce(principal: Principal, resource: RbacResource, action: RbacAction, object: string): Promise<boolean> {
    const p = parseInput(PrincipalSchema, { subject: principal.subject, groups: Array.isArray(principal.groups) ? principal.groups.slice() : principal.groups }, 'principal');
    return (await this.#enforcer()).enforce(p.subject, p.groups, resource, action, object);
  }

  /**
   * Like enforce, but throws E_FORBIDDEN naming the missing permission.
   *
   * @example
   * await ployd.security.authorize(principal, 'keys', 'create', '*');
   */
  async authorize(principal: Principal, resource: RbacResource, action: RbacAction, object: string): Promise<void> {
    if (!(await this.enforce(principal, resource, action, object))) {
      throw new PloydError('E_FORBIDDEN', `permission denied: ${resource}, ${action}, ${object}`, { subject: principal.subject, resource, action, object });
    }
  }

  // --- API keys ------------------------------------------------------------------------------

  /**
   * Creates a gateway API key. The plaintext `key` is returned this once; only its sha256 is kept.
   *
   * @example
   * const { key, info } = await ployd.security.createApiKey({ name: 'team-a', routes: ['chat-api-v2'], tiers: ['premium'], rpm: 600 }, actor);
   * // give `key` (pk_xxxxxxxx_…) to the client; info.prefix identifies it in lists
   */
  async createApiKey(input: CreateApiKeyInput, actor: Actor): Promise<CreatedApiKey> {
    checkActor(actor);
    const k = parseInput(CreateApiKeyInputSchema, input, 'API key');
    const created = await this.#withFreshId('pk', async ({ id, prefix, secret }) =>
      this.#ctx.store.transaction(async (tx) => {
        const rec = await tx.apiKeys.create({
          id,
          name: k.name,
          prefix,
          hash: sha256Hex(secret),
          routes: k.routes,
          tiers: k.tiers,
          rpm: k.rpm ?? null,
          tpm: k.tpm ?? null,
          expiresAt: k.expiresAt ?? null,
          createdBy: actor.subject,
        });
        await audit(tx, actor, 'apikey.create', `ApiKey/${id}`, undefined, toKeyInfo(rec));
        return { key: secret, info: toKeyInfo(rec) };
      }),
    );
    this.#keys.invalidate(created.info.id);
    return created;
  }

  /**
   * @example
   * const info = await ployd.security.getApiKey('a1B2c3D4');
   */
  async getApiKey(id: string): Promise<ApiKeyInfo> {
    const rec = await this.#ctx.store.apiKeys.get(id);
    if (!rec) throw new PloydError('E_NOT_FOUND', `API key ${id} not found`, { resource: `ApiKey/${id}` });
    return toKeyInfo(rec);
  }

  /**
   * Lists keys (never the keys themselves), oldest first; revoked ones only on request.
   *
   * @example
   * const { items } = await ployd.security.listApiKeys({ includeRevoked: true });
   */
  async listApiKeys(options: ApiKeyListOptions = {}): Promise<Page<ApiKeyInfo>> {
    const q = parseInput(ApiKeyListQuerySchema, options, 'list options');
    const page = await this.#ctx.store.apiKeys.list(q);
    return { items: page.items.map(toKeyInfo), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * Revokes a key at once on this process (cache dropped) and within the cache TTL elsewhere.
   *
   * @example
   * await ployd.security.revokeApiKey('a1B2c3D4', actor);
   */
  async revokeApiKey(id: string, actor: Actor): Promise<ApiKeyInfo> {
    checkActor(actor);
    const rec = await this.#ctx.store.transaction(async (tx) => {
      const { before, after } = await tx.apiKeys.revoke(id, this.#ctx.now());
      if (before.revokedAt === null) await audit(tx, actor, 'apikey.revoke', `ApiKey/${id}`, toKeyInfo(before), toKeyInfo(after));
      return after;
    });
    this.#keys.invalidate(id);
    return toKeyInfo(rec);
  }

  async #verifyApiKey(presented: string): Promise<ApiKeyPrincipal | undefined> {
    if (typeof presented !== 'string') return undefined;
    const id = secretId('pk', presented);
    if (!id) return undefined;
    const rec = await this.#keys.get(id, (i) => this.#ctx.store.apiKeys.get(i));
    if (!rec || !hashMatches(presented, rec.hash)) return undefined;
    if (rec.revokedAt !== null) return undefined;
    if (rec.expiresAt !== null && rec.expiresAt.getTime() <= this.#ctx.now().getTime()) return undefined;
    return {
      id: rec.id,
      name: rec.name,
      routes: rec.routes,
      tiers: rec.tiers,
      ...(rec.rpm !== null ? { rpm: rec.rpm } : {}),
      ...(rec.tpm !== null ? { tpm: rec.tpm } : {}),
      ...(rec.expiresAt !== null ? { expiresAt: rec.expiresAt } : {}),
    };
  }

  // --- control-API tokens --------------------------------------------------------------------

  /**
   * Creates a control-API bearer token acting as `subject` with `groups`; shown once.
   *
   * @example
   * const { token } = await ployd.security.createToken({ name: 'ci', subject: 'ci-bot', groups: ['ml-engineers'] }, actor);
   */
  async createToken(input: CreateTokenInput, actor: Actor): Promise<CreatedToken> {
    checkActor(actor);
    const t = parseInput(CreateTokenInputSchema, input, 'token');
    const created = await this.#withFreshId('pt', ({ id, prefix, secret }) =>
      this.#ctx.store.transaction(async (tx) => {
        const rec = await tx.tokens.create({ id, name: t.name, prefix, hash: sha256Hex(secret), subject: t.subject, groups: t.groups, expiresAt: t.expiresAt ?? null, createdBy: actor.subject });
        await audit(tx, actor, 'token.create', `Token/${id}`, undefined, toTokenInfo(rec));
        return { token: secret, info: toTokenInfo(rec) };
      }),
    );
    this.#tokens.invalidate(created.info.id);
    return created;
  }

  /**
   * @example
   * const { items } = await ployd.security.listTokens();
   */
  async listTokens(options: ApiKeyListOptions = {}): Promise<Page<TokenInfo>> {
    const q = parseInput(ApiKeyListQuerySchema, options, 'list options');
    const page = await this.#ctx.store.tokens.list(q);
    return { items: page.items.map(toTokenInfo), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * @example
   * await ployd.security.revokeToken('Zx9Yw8Vu', actor);
   */
  async revokeToken(id: string, actor: Actor): Promise<TokenInfo> {
    checkActor(actor);
    const rec = await this.#ctx.store.transaction(async (tx) => {
      const { before, after } = await tx.tokens.revoke(id, this.#ctx.now());
      if (before.revokedAt === null) await audit(tx, actor, 'token.revoke', `Token/${id}`, toTokenInfo(before), toTokenInfo(after));
      return after;
    });
    this.#tokens.invalidate(id);
    return toTokenInfo(rec);
  }

  /**
   * Verifies a presented bearer token (constant-time hash comparison).
   *
   * @example
   * const who = await ployd.security.verifyToken(bearer);
   * if (!who) throw new PloydError('E_UNAUTHENTICATED', 'invalid token');
   */
  async verifyToken(token: string): Promise<TokenPrincipal | undefined> {
    if (typeof token !== 'string') return undefined;
    const id = secretId('pt', token);
    if (!id) return undefined;
    const rec = await this.#tokens.get(id, (i) => this.#ctx.store.tokens.get(i));
    if (!rec || !hashMatches(token, rec.hash)) return undefined;
    if (rec.revokedAt !== null) return undefined;
    const now = this.#ctx.now();
    if (rec.expiresAt !== null && rec.expiresAt.getTime() <= now.getTime()) return undefined;
    if (rec.lastUsedAt === null || now.getTime() - rec.lastUsedAt.getTime() > 60_000) {
      this.#ctx.store.tokens.markUsed(id, now).catch(() => undefined);
    }
    return { tokenId: rec.id, name: rec.name, subject: rec.subject, groups: rec.groups };
  }

  /**
   * Creates the first admin token (subject `admin`, group `role:admin`) and returns its
   * plaintext; on every later start (or on a second replica racing the first) returns undefined.
   *
   * @example
   * const token = await ployd.security.ensureAdminToken();
   * if (token) console.log(`admin token (shown once): ${token}`);
   */
  async ensureAdminToken(): Promise<string | undefined> {
    const result = await this.#withFreshId('pt', ({ id, prefix, secret }) =>
      this.#ctx.store.transaction(async (tx) => {
        if (!(await tx.settings.putIfAbsent(ADMIN_BOOTSTRAP_KEY, { tokenId: id, at: this.#ctx.now().toISOString() }))) return undefined;
        const rec = await tx.tokens.create({ id, name: 'admin', prefix, hash: sha256Hex(secret), subject: 'admin', groups: ['role:admin'], expiresAt: null, createdBy: SYSTEM_ACTOR.subject });
        await audit(tx, SYSTEM_ACTOR, 'token.create', `Token/${id}`, undefined, toTokenInfo(rec));
        return secret;
      }),
    );
    return result;
  }

  /** Runs `fn` with a new random id, retrying on the (astronomically rare) id collision. */
  async #withFreshId<T>(kind: SecretKind, fn: (s: { id: string; prefix: string; secret: string }) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(newSecret(kind));
      } catch (err) {
        if (attempt < 3 && err instanceof PloydError && err.code === 'E_ALREADY_EXISTS' && typeof err.details.constraint === 'string' && err.details.constraint.endsWith('_pkey')) continue;
        throw err;
      }
    }
  }
}
