import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PloydError } from '../../src/errors/index.ts';
import type { ResourceKey, Store } from '../../src/store/index.ts';
import { BACKENDS } from './backends.ts';

const values = (spec: unknown = { replicas: 1 }) => ({
  apiVersion: 'ployd.ai/v1',
  spec,
  manifest: { apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', spec },
  hash: 'h',
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PloydError) return err.code;
    throw err;
  }
  return 'OK';
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`store on ${backend.name}${backend.available ? '' : ' (skipped: PLOYD_TEST_DATABASE_URL not set)'}`, () => {
    let store: Store;
    let reopen: () => Promise<Store>;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ store, reopen, cleanup } = await backend.open());
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('applies migrations at open, records them, and re-opening is idempotent', async () => {
      const applied = await store.migrations();
      expect(applied.map((m) => m.name)).toEqual(['0001_initial']);
      expect(applied[0]?.executedAt).toBeInstanceOf(Date);
      await store.resources.create({ kind: 'K', namespace: 'n', name: 'survives-reopen' }, values());
      await store.close();
      store = await reopen();
      expect((await store.migrations()).map((m) => m.name)).toEqual(['0001_initial']);
      expect(await store.resources.get({ kind: 'K', namespace: 'n', name: 'survives-reopen' })).toMatchObject({ resourceVersion: 1 });
    });

    it('creates, reads, updates with compare-and-set, and deletes a resource', async () => {
      const key: ResourceKey = { kind: 'ModelDeployment', namespace: 'default', name: 'llama' };
      const created = await store.resources.create(key, values({ replicas: 1 }));
      expect(created).toMatchObject({ ...key, resourceVersion: 1, spec: { replicas: 1 } });
      expect(await codeOf(store.resources.create(key, values()))).toBe('E_ALREADY_EXISTS');

      const updated = await store.resources.update(key, 1, values({ replicas: 3 }));
      expect(updated.resourceVersion).toBe(2);
      expect(updated.spec).toEqual({ replicas: 3 });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

      const stale = await store.resources.update(key, 1, values({ replicas: 9 })).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(PloydError);
      expect((stale as PloydError).code).toBe('E_CONFLICT');
      expect((stale as PloydError).details).toMatchObject({ expected: 1, current: 2 });
      expect((await store.resources.require(key)).spec).toEqual({ replicas: 3 });

      expect(await codeOf(store.resources.update({ ...key, name: 'absent' }, 1, values()))).toBe('E_NOT_FOUND');
      expect(await codeOf(store.resources.delete(key, 1))).toBe('E_CONFLICT');
      await store.resources.delete(key, 2);
      expect(await store.resources.get(key)).toBeUndefined();
      expect(await codeOf(store.resources.delete(key))).toBe('E_NOT_FOUND');
    });

    it('createAudited / updateAudited write a resource and its audit row in one statement; a refused write records no audit row', async () => {
      const key: ResourceKey = { kind: 'ModelDeployment', namespace: 'audited', name: 'm' };
      const entry = (action: string, after: unknown) => ({ subject: 'writer', groups: ['g'], via: 'api', action, resource: 'ModelDeployment/audited/m', after });
      const auditRows = async () => (await store.audit.list({ subject: 'writer', limit: 50 })).items;

      const created = await store.resources.createAudited(key, { ...values({ replicas: 1 }), labels: { a: 'b' }, application: 'app-1' }, entry('create', { v: 1 }));
      expect(created).toMatchObject({ ...key, resourceVersion: 1, spec: { replicas: 1 }, labels: { a: 'b' }, application: 'app-1' });
      expect(await codeOf(store.resources.createAudited(key, values(), entry('create-again', { v: 0 })))).toBe('E_ALREADY_EXISTS');

      const updated = await store.resources.updateAudited(key, 1, values({ replicas: 3 }), { ...entry('update', { v: 2 }), before: { v: 1 }, commit: 'abc' });
      expect(updated).toMatchObject({ resourceVersion: 2, spec: { replicas: 3 }, application: 'app-1' });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      const stale = await store.resources.updateAudited(key, 1, values({ replicas: 9 }), entry('stale', { v: 0 })).catch((e: unknown) => e);
      expect((stale as PloydError).code).toBe('E_CONFLICT');
      expect((stale as PloydError).details).toMatchObject({ expected: 1, current: 2 });
      expect(await codeOf(store.resources.updateAudited({ ...key, name: 'absent' }, 1, values(), entry('absent', { v: 0 })))).toBe('E_NOT_FOUND');
      expect((await store.resources.require(key)).spec).toEqual({ replicas: 3 });

      // Only the two writes that happened are audited, each with what it was given.
      const rows = await auditRows();
      expect(rows.map((a) => a.action)).toEqual(['update', 'create']);
      expect(rows[0]).toMatchObject({ groups: ['g'], via: 'api', before: { v: 1 }, after: { v: 2 }, commit: 'abc' });
      expect(rows[1]).toMatchObject({ before: undefined, after: { v: 1 }, commit: null });
    });

    it('getMany returns the resources that exist among the keys, with their application', async () => {
      const a = { kind: 'GatewayRoute', namespace: 'gm', name: 'a' };
      const b = { kind: 'ModelDeployment', namespace: 'gm', name: 'b' };
      await store.resources.create(a, { ...values(), application: 'shop' });
      await store.resources.create(b, values());
      const found = await store.resources.getMany([a, b, { kind: 'GatewayRoute', namespace: 'gm', name: 'absent' }, { kind: 'ModelDeployment', namespace: 'other', name: 'b' }]);
      expect(found.map((r) => `${r.kind}/${r.name}:${r.application}`).sort()).toEqual(['GatewayRoute/a:shop', 'ModelDeployment/b:null']);
      expect(await store.resources.getMany([])).toEqual([]);
      // Hostile names stay data in the tuple list too.
      expect(await store.resources.getMany([{ kind: "K'); drop table resources; --", namespace: 'gm', name: 'x' }])).toEqual([]);
      expect(await store.resources.get(a)).toBeDefined();
    });

    it('createMany creates applications in one statement and skips names that exist', async () => {
      const v = (project: string) => ({ project, environment: 'dev', spec: { p: project }, manifest: {}, hash: project });
      await store.applications.create('cm-a', v('first'));
      const made = await store.applications.createMany([
        { name: 'cm-a', values: v('second') },
        { name: 'cm-b', values: v('second') },
        { name: 'cm-c', values: v('second') },
      ]);
      expect(made.map((r) => r.name).sort()).toEqual(['cm-b', 'cm-c']);
      expect(made[0]).toMatchObject({ project: 'second', syncStatus: 'Unknown', healthStatus: 'Unknown', resourceVersion: 1 });
      expect((await store.applications.get('cm-a'))?.project).toBe('first');
      expect(await store.applications.createMany([])).toEqual([]);
    });

    it('keeps arrays and nested JSON intact in jsonb columns', async () => {
      const key = { kind: 'GatewayRoute', namespace: 'default', name: 'json' };
      const spec = { models: [{ name: 'a', weight: 90 }, { name: 'b', weight: 10 }], empty: [], nested: { x: [1, [2, 3]], s: "it's \"quoted\"" } };
      await store.resources.create(key, values(spec));
      expect((await store.resources.require(key)).spec).toEqual(spec);
    });

    it('pages through a list with opaque cursors, in a stable order', async () => {
      for (let i = 0; i < 7; i++) await store.resources.create({ kind: 'Page', namespace: i % 2 ? 'b' : 'a', name: `r${i}` }, values());
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.resources.list({ kind: 'Page', limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((r) => `${r.namespace}/${r.name}`));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['a/r0', 'a/r2', 'a/r4', 'a/r6', 'b/r1', 'b/r3', 'b/r5']);
      expect(await codeOf(store.resources.list({ kind: 'Page', cursor: 'garbage!' }))).toBe('E_VALIDATION');
      expect(await codeOf(store.resources.list({ kind: 'Page', limit: 0 }))).toBe('E_VALIDATION');
    });

    it('20 concurrent updates with the same resourceVersion: exactly one wins, the rest conflict', async () => {
      const key = { kind: 'Race', namespace: 'default', name: 'one-winner' };
      await store.resources.create(key, values({ n: 0 }));
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.resources.update(key, 1, values({ n: i + 1 })).then(
            () => 'ok',
            (err: unknown) => (err instanceof PloydError ? err.code : String(err)),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'E_CONFLICT')).toHaveLength(19);
      expect((await store.resources.require(key)).resourceVersion).toBe(2);
    });

    it('50 increments by 10 concurrent read-modify-write retry loops end at exactly 50 (no lost update)', async () => {
      const key = { kind: 'Race', namespace: 'default', name: 'counter' };
      await store.resources.create(key, values({ n: 0 }));
      const increment = async () => {
        for (;;) {
          const cur = await store.resources.require(key);
          try {
            await store.resources.update(key, cur.resourceVersion, values({ n: (cur.spec as { n: number }).n + 1 }));
            return;
          } catch (err) {
            if (!(err instanceof PloydError) || err.code !== 'E_CONFLICT') throw err;
            // stale read: another writer won; read again and retry
          }
        }
      };
      // 10 writers racing, 5 increments each: enough contention for many conflicts, cheap enough for CI.
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let i = 0; i < 5; i++) await increment();
        }),
      );
      const final = await store.resources.require(key);
      expect(final.spec).toEqual({ n: 50 });
      expect(final.resourceVersion).toBe(51);
    });

    it('concurrent transactions do not interleave: each sees its own writes and commits atomically', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            const key = { kind: 'Tx', namespace: 'default', name: `t${i}` };
            await tx.resources.create(key, values({ i }));
            await tx.audit.append({ subject: `u${i}`, groups: [], via: 'api', action: 'tx.test', resource: `Tx/default/t${i}`, after: { i } });
            return (await tx.resources.require(key)).spec;
          }),
        ),
      );
      expect(results).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })));
      const audit = await store.audit.list({ action: 'tx.test', limit: 100 });
      expect(audit.items).toHaveLength(10);
    });

    it('rolls back every statement of a failed transaction', async () => {
      const key = { kind: 'Tx', namespace: 'default', name: 'rolled-back' };
      const err = await store
        .transaction(async (tx) => {
          await tx.resources.create(key, values());
          await tx.audit.append({ subject: 'x', groups: [], via: 'api', action: 'tx.rollback', resource: 'Tx/default/rolled-back' });
          throw new PloydError('E_VALIDATION', 'abort');
        })
        .catch((e: unknown) => e);
      expect((err as PloydError).code).toBe('E_VALIDATION');
      expect(await store.resources.get(key)).toBeUndefined();
      expect((await store.audit.list({ action: 'tx.rollback' })).items).toHaveLength(0);
    });

    it('refuses the root repositories inside a transaction callback instead of deadlocking or escaping it', async () => {
      const err = await store
        .transaction(async (tx) => {
          await tx.resources.create({ kind: 'Tx', namespace: 'default', name: 'nested' }, values());
          return store.resources.get({ kind: 'Tx', namespace: 'default', name: 'nested' });
        })
        .catch((e: unknown) => e);
      expect((err as PloydError).code).toBe('E_INTERNAL');
      expect((err as PloydError).message).toContain('inside store.transaction(fn)');
      expect(await store.resources.get({ kind: 'Tx', namespace: 'default', name: 'nested' })).toBeUndefined();
    });

    it('treats hostile names as data: SQL injection is inert', async () => {
      const hostile = ["x'; drop table resources; --", 'a" or "1"="1', "'); delete from audit_log; --", 'Robert\'); DROP TABLE api_keys;--', '%', '_', '\\'];
      for (const name of hostile) {
        await store.resources.create({ kind: 'Hostile', namespace: name, name }, values({ name }));
        expect((await store.resources.require({ kind: 'Hostile', namespace: name, name })).spec).toEqual({ name });
        await store.audit.append({ subject: name, groups: [name], via: 'api', action: 'hostile', resource: `Hostile/${name}`, before: { name } });
      }
      expect((await store.resources.list({ kind: 'Hostile', limit: 100 })).items).toHaveLength(hostile.length);
      // LIKE metacharacters in a prefix filter match themselves only.
      expect((await store.audit.list({ resource: 'Hostile/%' })).items.map((a) => a.resource)).toEqual(['Hostile/%']);
      expect((await store.audit.list({ resource: 'Hostile/_' })).items.map((a) => a.resource)).toEqual(['Hostile/_']);
      expect((await store.audit.list({ subject: "x'; drop table resources; --" })).items).toHaveLength(1);
      // Tables are all still there.
      expect(await store.apiKeys.list({})).toBeDefined();
      expect((await store.resources.list({ kind: 'ModelDeployment' })).items).toBeDefined();
    });

    it('lists the audit log newest first with filters and cursors', async () => {
      for (let i = 0; i < 5; i++) await store.audit.append({ subject: 'auditor', groups: ['g'], via: 'cli', action: 'audit.page', resource: `Thing/${i}`, before: null, after: { i } });
      const first = await store.audit.list({ subject: 'auditor', limit: 2 });
      expect(first.items.map((a) => a.resource)).toEqual(['Thing/4', 'Thing/3']);
      const second = await store.audit.list({ subject: 'auditor', limit: 10, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
      expect(second.items.map((a) => a.resource)).toEqual(['Thing/2', 'Thing/1', 'Thing/0']);
      expect(second.nextCursor).toBeUndefined();
      expect(second.items[0]).toMatchObject({ via: 'cli', groups: ['g'], after: { i: 2 } });
    });

    it('registry: one production version per model is enforced by the database', async () => {
      const m = await store.registry.ensureModel('model_test1', 'llama-7b-chat', 'alice');
      expect((await store.registry.ensureModel('model_other', 'llama-7b-chat', 'bob')).id).toBe(m.id);
      await store.registry.createVersion({ id: 'mv_1', modelId: m.id, version: 'v2.0', path: 's3://a', framework: 'vllm', stage: 'production', metadata: { tags: ['x'] }, createdBy: 'alice' });
      expect(await codeOf(store.registry.createVersion({ id: 'mv_dup', modelId: m.id, version: 'v2.0', path: 's3://a', framework: 'vllm', stage: 'none', metadata: {}, createdBy: 'alice' }))).toBe('E_ALREADY_EXISTS');
      await store.registry.createVersion({ id: 'mv_2', modelId: m.id, version: 'v2.1', path: 's3://b', framework: 'vllm', stage: 'none', metadata: { accuracy: 0.92 }, createdBy: 'alice' });
      expect(await codeOf(store.registry.setStage('mv_2', 1, 'production'))).toBe('E_ALREADY_EXISTS');
      expect(await codeOf(store.registry.setStage('mv_2', 1, 'bogus'))).toBe('E_VALIDATION');
      const summary = await store.registry.getModel('llama-7b-chat');
      expect(summary).toMatchObject({ productionVersion: 'v2.0', latestVersion: 'v2.1', versionCount: 2 });
      const versions = await store.registry.listVersions(m.id, { limit: 1 });
      expect(versions.items.map((v) => v.version)).toEqual(['v2.1']);
      expect(versions.nextCursor).toBeDefined();
    });

    it('tracking: one open span per model and environment; a new version closes the previous span', async () => {
      const t0 = new Date('2026-01-01T00:00:00Z');
      const t1 = new Date('2026-01-02T00:00:00Z');
      await store.tracking.start({ id: 'd1', model: 'm', version: 'v1', environment: 'production', deployedBy: 'a', at: t0 });
      const { ended } = await store.tracking.start({ id: 'd2', model: 'm', version: 'v2', environment: 'production', deployedBy: 'a', at: t1 });
      expect(ended).toMatchObject({ id: 'd1', endedAt: t1 });
      expect((await store.tracking.current('m', 'production'))?.version).toBe('v2');
      expect((await store.tracking.history('m', {})).map((h) => h.version)).toEqual(['v2', 'v1']);
    });

    it('metrics: label containment and time ranges', async () => {
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      await store.metrics.insert([
        { name: 'ployd_latency', value: 1, labels: { route: 'a' }, at: at(1), source: 't' },
        { name: 'ployd_latency', value: 2, labels: { route: 'b' }, at: at(2), source: 't' },
        { name: 'ployd_latency', value: 3, labels: { route: 'a', model: 'x' }, at: at(3), source: 't' },
      ]);
      expect((await store.metrics.query({ name: 'ployd_latency', labels: { route: 'a' } })).map((m) => m.value)).toEqual([1, 3]);
      expect((await store.metrics.query({ name: 'ployd_latency', from: at(2), to: at(3) })).map((m) => m.value)).toEqual([2, 3]);
      expect(await store.metrics.prune(at(2))).toBe(1);
    });

    it('api keys and tokens: revoke is idempotent, list hides revoked by default', async () => {
      await store.apiKeys.create({ id: 'abcd1234', name: 'k', prefix: 'pk_abcd1234_', hash: 'h', routes: ['r'], tiers: [], rpm: 10, tpm: null, expiresAt: null, createdBy: 'a' });
      expect(await codeOf(store.apiKeys.create({ id: 'abcd1234', name: 'k2', prefix: 'p', hash: 'h', routes: [], tiers: [], rpm: null, tpm: null, expiresAt: null, createdBy: 'a' }))).toBe('E_ALREADY_EXISTS');
      const { after } = await store.apiKeys.revoke('abcd1234', new Date());
      expect(after.revokedAt).toBeInstanceOf(Date);
      expect(after.resourceVersion).toBe(2);
      expect((await store.apiKeys.revoke('abcd1234', new Date())).after.resourceVersion).toBe(2);
      expect((await store.apiKeys.list({})).items.map((k) => k.id)).not.toContain('abcd1234');
      expect((await store.apiKeys.list({ includeRevoked: true })).items.map((k) => k.id)).toContain('abcd1234');
      expect(await codeOf(store.apiKeys.revoke('nope', new Date()))).toBe('E_NOT_FOUND');
    });

    it('rbac: upsert bumps the version, compare-and-set rejects stale writers', async () => {
      const a = await store.rbac.put('llm-models', ['p, a, b, c, d, allow']);
      const b = await store.rbac.put('llm-models', ['p, a, b, c, e, allow']);
      expect(b.resourceVersion).toBe(a.resourceVersion + 1);
      expect(await codeOf(store.rbac.put('llm-models', [], a.resourceVersion))).toBe('E_CONFLICT');
      expect((await store.rbac.put('llm-models', ['g, x, y'], b.resourceVersion)).lines).toEqual(['g, x, y']);
    });

    it('applications, sync history, live state, canary state, settings and events', async () => {
      const app = await store.applications.create('llama-foundation', { project: 'llm-models', environment: 'production', spec: { a: 1 }, manifest: {}, hash: 'h' });
      const withStatus = await store.applications.setStatus('llama-foundation', app.resourceVersion, { syncStatus: 'Synced', healthStatus: 'Healthy', revision: 'abc' });
      expect(withStatus).toMatchObject({ syncStatus: 'Synced', healthStatus: 'Healthy', resourceVersion: 2 });
      expect(await codeOf(store.applications.setStatus('llama-foundation', 1, { syncStatus: 'OutOfSync' }))).toBe('E_CONFLICT');
      const op = await store.applications.startSync({ application: 'llama-foundation', revision: 'abc', initiatedBy: 'gitops' });
      await store.applications.finishSync(op.id, { phase: 'Succeeded', resources: [{ kind: 'ModelDeployment' }] });
      expect((await store.applications.history('llama-foundation'))[0]).toMatchObject({ phase: 'Succeeded', revision: 'abc' });

      await store.live.putLive({ kind: 'ModelDeployment', namespace: 'p', name: 'x' }, { a: 1 }, { ready: 1 }, 'h1');
      expect((await store.live.putLive({ kind: 'ModelDeployment', namespace: 'p', name: 'x' }, { a: 2 }, undefined, 'h2')).resourceVersion).toBe(2);
      await store.live.putDeploymentStatus({ namespace: 'p', name: 'x', health: 'Healthy', message: null, desiredReplicas: 2, readyReplicas: 2, replicas: [], runtime: 'memory' });
      expect((await store.live.getDeploymentStatus('p', 'x'))?.health).toBe('Healthy');
      const c = await store.live.putCanary({ namespace: 'p', name: 'c', phase: 'Progressing', step: 0, weight: 10, state: {} }, 0);
      expect(await codeOf(store.live.putCanary({ namespace: 'p', name: 'c', phase: 'Progressing', step: 0, weight: 10, state: {} }, 0))).toBe('E_CONFLICT');
      expect((await store.live.putCanary({ ...c, step: 1, weight: 20 }, c.resourceVersion)).weight).toBe(20);

      expect(await store.settings.putIfAbsent('bootstrap', { at: 1 })).toBe(true);
      expect(await store.settings.putIfAbsent('bootstrap', { at: 2 })).toBe(false);
      expect(await store.settings.get('bootstrap')).toEqual({ at: 1 });

      await store.events.append({ type: 'Warning', reason: 'CrashLoop', message: 'replica 0 crashed', kind: 'ModelDeployment', namespace: 'p', name: 'x', source: 'runtime' });
      expect((await store.events.list({ kind: 'ModelDeployment', name: 'x' })).items[0]).toMatchObject({ type: 'Warning', reason: 'CrashLoop' });
    });
  });
}
