import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelManifest, startPlatform, type Platform } from './helpers.ts';

/**
 * Seed 000's roles through the HTTP API: ml-engineers may get everything of llm-models and sync
 * development and staging but not production; sre-team may do everything with llm-models'
 * applications; a token without a role may do nothing.
 */
const ENVS = ['development', 'staging', 'production'] as const;
type Who = 'ml' | 'sre' | 'nobody';

interface Case {
  readonly who: Who;
  readonly op: 'get' | 'status' | 'deploy' | 'scale' | 'delete';
  readonly env: (typeof ENVS)[number];
}

function expected(c: Case): boolean {
  if (c.who === 'sre') return true;
  if (c.who === 'nobody') return false;
  if (c.op === 'get' || c.op === 'status') return true;
  if (c.op === 'delete') return false;
  return c.env !== 'production';
}

function permissionOf(c: Case, name: string): string {
  const action = c.op === 'get' || c.op === 'status' ? 'get' : c.op === 'delete' ? 'delete' : 'sync';
  return `permission denied: applications, ${action}, llm-models/${c.env}/${name}`;
}

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
  for (const env of ENVS) {
    const res = await p.call('POST', '/api/v1/models', { body: modelManifest('llama-7b-chat', env, { project: 'llm-models' }) });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await p.close();
});

describe('RBAC matrix for seed 000 roles', () => {
  const cases: Case[] = [];
  for (const who of ['ml', 'sre', 'nobody'] as const) {
    for (const env of ENVS) for (const op of ['get', 'status', 'deploy', 'scale', 'delete'] as const) cases.push({ who, op, env });
  }

  it.each(cases)('$who $op in $env', async (c) => {
    const token = p.tokens[c.who];
    // Each case works on its own model so deletes do not disturb other cases.
    const name = `m-${c.who}-${c.op}`;
    const seeded = await p.call('POST', '/api/v1/models', { body: modelManifest(name, c.env, { project: 'llm-models' }) });
    expect([200, 201]).toContain(seeded.status);
    const path = `/api/v1/models/${c.env}/${name}`;
    const res =
      c.op === 'get'
        ? await p.call('GET', path, { token })
        : c.op === 'status'
          ? await p.call('GET', `${path}/status`, { token })
          : c.op === 'deploy'
            ? await p.call('POST', '/api/v1/models', { token, body: modelManifest(name, c.env, { project: 'llm-models', replicas: 2 }) })
            : c.op === 'scale'
              ? await p.call('PUT', `${path}/scale`, { token, body: { replicas: 2 } })
              : await p.call('DELETE', path, { token });
    if (expected(c)) {
      expect(res.status, await res.clone().text()).toBeLessThan(300);
    } else {
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('E_FORBIDDEN');
      expect(body.error.message).toBe(permissionOf(c, name));
    }
    const after = await p.call('GET', path);
    if (c.op === 'delete' && expected(c)) expect(after.status).toBe(404);
    else expect(after.status).toBe(200);
    if ((c.op === 'scale' || c.op === 'deploy') && !expected(c)) {
      const m = (await after.json()) as { resource: { spec: { replicas?: number } } };
      expect(m.resource.spec.replicas).toBeUndefined();
    }
  });

  it('lists hold only what the caller may get', async () => {
    const names = async (token: string) =>
      ((await (await p.call('GET', '/api/v1/models?limit=1000', { token })).json()) as { items: { namespace: string; name: string }[] }).items.filter(
        (m) => m.name === 'llama-7b-chat',
      ).length;
    expect(await names(p.tokens.ml)).toBe(3);
    expect(await names(p.tokens.sre)).toBe(3);
    expect(await names(p.tokens.nobody)).toBe(0);
    // A model outside the project is invisible to ml-engineers.
    expect((await p.call('POST', '/api/v1/models', { body: modelManifest('other-team', 'production') })).status).toBe(201);
    const ml = (await (await p.call('GET', '/api/v1/models?namespace=production', { token: p.tokens.ml })).json()) as { items: { name: string }[] };
    expect(ml.items.map((m) => m.name)).not.toContain('other-team');
    expect((await p.call('GET', '/api/v1/models/production/other-team', { token: p.tokens.ml })).status).toBe(403);
  });

  it('moving a model into production by relabelling needs sync there too', async () => {
    const res = await p.call('POST', '/api/v1/models', {
      token: p.tokens.ml,
      body: { ...modelManifest('llama-7b-chat', 'production'), metadata: { name: 'llama-7b-chat', namespace: 'production', labels: { 'ployd.ai/project': 'sandbox' } } },
    });
    expect(res.status).toBe(403);
  });

  it('roles without keys, registry or audit permissions are refused there, naming the permission', async () => {
    const key = await p.call('POST', '/api/v1/keys', { token: p.tokens.ml, body: { name: 'mine' } });
    expect(key.status).toBe(403);
    expect(((await key.json()) as { error: { message: string } }).error.message).toBe('permission denied: keys, create, mine');
    const reg = await p.call('POST', '/api/v1/registry/models', { token: p.tokens.sre, body: { name: 'llama', version: 'v1', path: 's3://x' } });
    expect(reg.status).toBe(403);
    expect(((await reg.json()) as { error: { message: string } }).error.message).toBe('permission denied: registry, create, llama');
    expect((await p.call('GET', '/api/v1/audit', { token: p.tokens.ml })).status).toBe(403);
    expect((await p.call('GET', '/api/v1/audit', { token: p.adminToken })).status).toBe(200);
  });

  it('enforce answers about yourself without permission, about others only with projects get', async () => {
    const self = await p.call('POST', '/api/v1/rbac/enforce', {
      token: p.tokens.ml,
      body: { subject: 'bob', groups: ['ml-engineers'], resource: 'applications', action: 'sync', object: 'llm-models/production/x' },
    });
    expect(await self.json()).toEqual({ allowed: false });
    const other = await p.call('POST', '/api/v1/rbac/enforce', {
      token: p.tokens.ml,
      body: { subject: 'carol', groups: ['sre-team'], resource: 'applications', action: 'sync', object: 'llm-models/production/x' },
    });
    expect(other.status).toBe(403);
    const admin = await p.call('POST', '/api/v1/rbac/enforce', {
      body: { subject: 'carol', groups: ['sre-team'], resource: 'applications', action: 'sync', object: 'llm-models/production/x' },
    });
    expect(await admin.json()).toEqual({ allowed: true });
  });
});
