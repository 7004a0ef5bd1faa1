import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alice, codeOf, errorOf, useHarness } from './harness.ts';

/** Seed 000's AppProject, verbatim. */
const SEED_PROJECT = parse(`
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: llm-models
  namespace: argocd
spec:
  description: "LLM Model Deployments"
  sourceRepos:
  - https://github.com/your-org/llm-gitops-config
  - https://github.com/your-org/llm-model-configs
  destinations:
  - namespace: development
    server: https://kubernetes.default.svc
  - namespace: staging
    server: https://kubernetes.default.svc
  - namespace: production
    server: https://kubernetes.default.svc
  clusterResourceWhitelist:
  - group: ''
    kind: Namespace
  - group: inference.llm-d.io
    kind: '*'
  - group: networking.istio.io
    kind: '*'
  namespaceResourceWhitelist:
  - group: ''
    kind: '*'
  - group: apps
    kind: '*'
  - group: autoscaling
    kind: '*'
  roles:
  - name: ml-engineers
    description: "ML Engineers can deploy to dev/staging"
    policies:
    - p, proj:llm-models:ml-engineers, applications, get, llm-models/*, allow
    - p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow
    - p, proj:llm-models:ml-engineers, applications, sync, llm-models/staging/*, allow
    groups:
    - ml-engineers
  - name: sre-team
    description: "SRE team has full access"
    policies:
    - p, proj:llm-models:sre-team, applications, *, llm-models/*, allow
    groups:
    - sre-team
`) as Record<string, unknown>;

const admin = { subject: 'root', groups: ['role:admin'], via: 'cli' as const };
const ACTIONS = ['get', 'create', 'update', 'delete', 'sync', 'rollback', 'override'] as const;
const ENVS = ['development', 'staging', 'production'] as const;

const H = useHarness({ security: { credentialCacheTtlMs: 60_000 } });

describe('Security: RBAC', () => {
  it('stores seed 000 roles as the exact Casbin lines, plus group bindings', async () => {
    const { ployd } = H.current;
    const rbac = await ployd.security.applyRbac(SEED_PROJECT, admin);
    expect(rbac.lines).toEqual([
      'p, proj:llm-models:ml-engineers, applications, get, llm-models/*, allow',
      'p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow',
      'p, proj:llm-models:ml-engineers, applications, sync, llm-models/staging/*, allow',
      'g, ml-engineers, proj:llm-models:ml-engineers',
      'p, proj:llm-models:sre-team, applications, *, llm-models/*, allow',
      'g, sre-team, proj:llm-models:sre-team',
    ]);
    expect((await ployd.security.getRbac('llm-models')).resourceVersion).toBe(1);
  });

  it("matrix: ml-engineers get everything and sync development and staging, not production; sre-team does everything", async () => {
    const { ployd } = H.current;
    await ployd.security.applyRbac(SEED_PROJECT, admin);
    const mlEngineer = { subject: 'bob', groups: ['ml-engineers'] };
    const sre = { subject: 'carol', groups: ['sre-team'] };
    const outsider = { subject: 'eve', groups: ['marketing'] };
    const matrix: string[] = [];
    for (const env of ENVS) {
      for (const action of ACTIONS) {
        const object = `llm-models/${env}/llama-3.1-8b`;
        const ml = await ployd.security.enforce(mlEngineer, 'applications', action, object);
        const s = await ployd.security.enforce(sre, 'applications', action, object);
        const o = await ployd.security.enforce(outsider, 'applications', action, object);
        matrix.push(`${env} ${action}: ml=${ml ? 'Y' : 'n'} sre=${s ? 'Y' : 'n'} other=${o ? 'Y' : 'n'}`);
      }
    }
    const expected = ENVS.flatMap((env) =>
      ACTIONS.map((action) => {
        const ml = action === 'get' || (action === 'sync' && env !== 'production');
        return `${env} ${action}: ml=${ml ? 'Y' : 'n'} sre=Y other=n`;
      }),
    );
    expect(matrix).toEqual(expected);
    // The project's roles reach nothing outside the project, nor other resources.
    expect(await ployd.security.enforce(sre, 'applications', 'delete', 'other-project/production/app')).toBe(false);
    expect(await ployd.security.enforce(sre, 'keys', 'create', 'llm-models/production/app')).toBe(false);
    expect(await ployd.security.enforce(mlEngineer, 'applications', 'get', 'llm-models-evil/development/x')).toBe(false);
    // A user bound by name (g, <user>, role) works like a group.
    await ployd.security.setGlobalRbac(['g, dave, proj:llm-models:ml-engineers'], admin);
    expect(await ployd.security.enforce({ subject: 'dave', groups: [] }, 'applications', 'sync', 'llm-models/staging/x')).toBe(true);
  });

  it('deny wins over allow, and authorize names the missing permission', async () => {
    const { ployd } = H.current;
    const project = structuredClone(SEED_PROJECT) as { spec: { roles: { name: string; policies: string[]; groups: string[] }[] } };
    project.spec.roles.push({ name: 'freeze', policies: ['p, proj:llm-models:freeze, applications, sync, llm-models/production/*, deny'], groups: ['sre-team'] });
    await ployd.security.applyRbac(project, admin);
    const sre = { subject: 'carol', groups: ['sre-team'] };
    expect(await ployd.security.enforce(sre, 'applications', 'sync', 'llm-models/production/app')).toBe(false);
    expect(await ployd.security.enforce(sre, 'applications', 'sync', 'llm-models/staging/app')).toBe(true);
    expect(await ployd.security.enforce(sre, 'applications', 'delete', 'llm-models/production/app')).toBe(true);
    const err = await errorOf(ployd.security.authorize(sre, 'applications', 'sync', 'llm-models/production/app'));
    expect(err.code).toBe('E_FORBIDDEN');
    expect(err.message).toBe('permission denied: applications, sync, llm-models/production/app');
  });

  it('built-in role:admin and role:readonly', async () => {
    const { ployd } = H.current;
    expect(await ployd.security.enforce({ subject: 'x', groups: ['role:admin'] }, 'keys', 'delete', 'anything')).toBe(true);
    expect(await ployd.security.enforce({ subject: 'x', groups: ['role:readonly'] }, 'registry', 'get', 'm')).toBe(true);
    expect(await ployd.security.enforce({ subject: 'x', groups: ['role:readonly'] }, 'registry', 'create', 'm')).toBe(false);
    expect(await ployd.security.enforce({ subject: 'x', groups: [] }, 'registry', 'get', 'm')).toBe(false);
  });

  it('refuses roles that escape their project, malformed lines, and stale versions', async () => {
    const { ployd } = H.current;
    const evil = structuredClone(SEED_PROJECT) as { spec: { roles: { name: string; policies: string[]; groups: string[] }[] } };
    evil.spec.roles[0]?.policies.push('p, role:admin, *, *, *, allow');
    const err = await errorOf(ployd.security.applyRbac(evil, admin));
    expect(err.code).toBe('E_VALIDATION');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: ['spec', 'roles', 0, 'policies', 3] })]);
    expect(await codeOf(ployd.security.setGlobalRbac(['p, a, b'], admin))).toBe('E_VALIDATION');
    expect(await codeOf(ployd.security.setGlobalRbac(['p, a, b, c, d, perhaps'], admin))).toBe('E_VALIDATION');
    const first = await ployd.security.applyRbac(SEED_PROJECT, admin);
    await ployd.security.applyRbac(SEED_PROJECT, admin, { resourceVersion: first.resourceVersion });
    expect(await codeOf(ployd.security.applyRbac(SEED_PROJECT, admin, { resourceVersion: first.resourceVersion }))).toBe('E_CONFLICT');
    expect(await codeOf(ployd.security.getRbac('nope'))).toBe('E_NOT_FOUND');
  });

  it('sees RBAC changed by another replica within the recheck interval', async () => {
    const { ployd } = H.current;
    const other = H.make({ security: { rbacRecheckMs: 0 } }).ployd;
    expect(await other.security.enforce({ subject: 'z', groups: ['sre-team'] }, 'applications', 'get', 'llm-models/x/y')).toBe(false);
    await ployd.security.applyRbac(SEED_PROJECT, admin);
    expect(await other.security.enforce({ subject: 'z', groups: ['sre-team'] }, 'applications', 'get', 'llm-models/x/y')).toBe(true);
  });
});

describe('Security: API keys', () => {
  it('shows the key once in pk_<id>_<secret> form, stores only its sha256, verifies it', async () => {
    const { ployd, store } = H.current;
    const { key, info } = await ployd.security.createApiKey({ name: 'team-a', routes: ['chat-api-v2'], tiers: ['premium'], rpm: 600, tpm: 100_000 }, alice);
    expect(key).toMatch(/^pk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32,}$/);
    expect(key.startsWith(info.prefix)).toBe(true);
    const row = await store.apiKeys.get(info.id);
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key.slice(info.prefix.length));
    expect(JSON.stringify(await ployd.security.listApiKeys())).not.toContain(key.slice(info.prefix.length));
    expect(JSON.stringify(await ployd.audit.list())).not.toContain(key.slice(info.prefix.length));

    const principal = await ployd.security.apiKeyVerifier.verify(key);
    expect(principal).toEqual({ id: info.id, name: 'team-a', routes: ['chat-api-v2'], tiers: ['premium'], rpm: 600, tpm: 100_000 });
    // Wrong secret with the right id, truncated, other kind, garbage: all unknown.
    const wrong = `${info.prefix}${'A'.repeat(40)}`;
    for (const bad of [wrong, key.slice(0, -1), key.replace('pk_', 'pt_'), '', 'Bearer x', `${key}x`, "pk_'; drop--_x"]) {
      expect(await ployd.security.apiKeyVerifier.verify(bad)).toBeUndefined();
    }
  });

  it('revocation takes effect at once despite the cache; expired keys fail', async () => {
    const { ployd } = H.current;
    const { key, info } = await ployd.security.createApiKey({ name: 'k' }, alice);
    expect(await ployd.security.apiKeyVerifier.verify(key)).toBeDefined();
    const revoked = await ployd.security.revokeApiKey(info.id, alice);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await ployd.security.apiKeyVerifier.verify(key)).toBeUndefined();
    expect((await ployd.security.listApiKeys()).items.map((k) => k.id)).not.toContain(info.id);
    expect(await codeOf(ployd.security.revokeApiKey('nope1234', alice))).toBe('E_NOT_FOUND');

    const expired = await ployd.security.createApiKey({ name: 'old', expiresAt: new Date(Date.now() - 1000) }, alice);
    expect(await ployd.security.apiKeyVerifier.verify(expired.key)).toBeUndefined();
    const fresh = await ployd.security.createApiKey({ name: 'new', expiresAt: new Date(Date.now() + 3_600_000).toISOString() }, alice);
    expect((await ployd.security.apiKeyVerifier.verify(fresh.key))?.expiresAt).toBeInstanceOf(Date);
  });

  it('validates key input with field paths', async () => {
    const { ployd } = H.current;
    const err = await errorOf(ployd.security.createApiKey({ name: 'x', rpm: -5 }, alice));
    expect(err.code).toBe('E_VALIDATION');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: ['rpm'] })]);
    expect(await codeOf(ployd.security.createApiKey({ name: 'x', routes: ['Not A Name'] }, alice))).toBe('E_VALIDATION');
    expect(await codeOf(ployd.security.createApiKey({ name: 'x', bogus: 1 } as never, alice))).toBe('E_VALIDATION');
  });
});

describe('Security: control-API tokens', () => {
  it('ensureAdminToken returns a token only on the first start, even when two race', async () => {
    const { ployd } = H.current;
    const other = H.make().ployd;
    const [a, b] = await Promise.all([ployd.security.ensureAdminToken(), other.security.ensureAdminToken()]);
    const tokens = [a, b].filter((t): t is string => t !== undefined);
    expect(tokens).toHaveLength(1);
    expect(await ployd.security.ensureAdminToken()).toBeUndefined();
    const who = await ployd.security.verifyToken(tokens[0] ?? '');
    expect(who).toMatchObject({ subject: 'admin', groups: ['role:admin'] });
    expect(await ployd.security.enforce(who ?? { subject: '', groups: [] }, 'keys', 'create', '*')).toBe(true);
  });

  it('creates, verifies, lists (without secrets) and revokes tokens', async () => {
    const { ployd } = H.current;
    const { token, info } = await ployd.security.createToken({ name: 'ci', subject: 'ci-bot', groups: ['ml-engineers'] }, alice);
    expect(token).toMatch(/^pt_[0-9A-Za-z]{8}_[0-9A-Za-z]{32,}$/);
    expect(await ployd.security.verifyToken(token)).toEqual({ tokenId: info.id, name: 'ci', subject: 'ci-bot', groups: ['ml-engineers'] });
    expect(await ployd.security.apiKeyVerifier.verify(token)).toBeUndefined();
    expect(JSON.stringify(await ployd.security.listTokens())).not.toContain(token.slice(info.prefix.length));
    await ployd.security.revokeToken(info.id, alice);
    expect(await ployd.security.verifyToken(token)).toBeUndefined();
  });

  it('never writes a key or token to the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) }));
    const { ployd } = H.make({ logger });
    const { key } = await ployd.security.createApiKey({ name: 'logged?' }, alice);
    const { token } = await ployd.security.createToken({ name: 't', subject: 's' }, alice);
    await ployd.security.apiKeyVerifier.verify(key);
    await ployd.security.verifyToken(token);
    await ployd.modelServing.deployModel({ name: 'm', modelPath: 's3://m' }, alice);
    const all = lines.join('');
    expect(all).not.toContain(key);
    expect(all).not.toContain(token);
  });
});

describe('Security: policies', () => {
  it('creates, gets, lists and deletes Policy resources', async () => {
    const { ployd } = H.current;
    const manifest = {
      apiVersion: 'ployd.ai/v1',
      kind: 'Policy',
      metadata: { name: 'no-root' },
      spec: { match: { kinds: ['Pod'] }, validations: [{ expression: 'true', message: 'Containers must not run as root' }] },
    };
    const p = await ployd.security.createPolicy(manifest, alice);
    expect(p.resource.spec.action).toBe('deny');
    expect(await codeOf(ployd.security.createPolicy(manifest, alice))).toBe('E_ALREADY_EXISTS');
    expect((await ployd.security.listPolicies()).items.map((x) => x.name)).toEqual(['no-root']);
    expect((await ployd.security.getPolicy({ name: 'no-root' })).resourceVersion).toBe(1);
    expect(await codeOf(ployd.security.createPolicy({ ...manifest, spec: { validations: [] } }, alice))).toBe('E_VALIDATION');
    await ployd.security.deletePolicy({ name: 'no-root' }, alice);
    expect(await codeOf(ployd.security.getPolicy({ name: 'no-root' }))).toBe('E_NOT_FOUND');
  });
});
