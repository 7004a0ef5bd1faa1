import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { SYSTEM_ACTOR } from '../../src/sdk/index.ts';
import type { RunningServer } from '../../src/server/index.ts';
import { modelManifest, routeManifest, startPlatform, type Platform } from './helpers.ts';

let p: Platform;
let server: RunningServer;

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { PLOYD_SERVER: process.env.PLOYD_SERVER, PLOYD_TOKEN: process.env.PLOYD_TOKEN };
  delete process.env.PLOYD_SERVER;
  delete process.env.PLOYD_TOKEN;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const as = (token: string): string[] => ['--server', server.url, '--token', token];

beforeAll(async () => {
  p = await startPlatform();
  server = await p.listen();
  await p.ployd.modelServing.deployModel(modelManifest('llama-7b-chat', 'production', { project: 'llm-models', replicas: 2 }), SYSTEM_ACTOR);
  await p.ployd.modelServing.deployModel(modelManifest('llama-7b-chat', 'staging', { project: 'llm-models' }), SYSTEM_ACTOR);
  await p.ployd.aiGateway.createRoute(routeManifest('chat-api-v2', 'production', 'llama-7b-chat', 'llm-models'), SYSTEM_ACTOR);
});
afterAll(async () => {
  await p.close();
});

describe('ployd CLI against a live server', () => {
  it('registry register, list, get and stage', async () => {
    const reg = await cli([
      'registry', 'register', 'llama-7b-chat', 'v2.1', '--path', 's3://company-models/llama-7b-chat-v2.1', '--framework', 'vllm',
      '--accuracy', '0.92', '--gpu-memory', '14GB', '--tag', 'production-ready', '--tag', 'chat', ...as(p.adminToken),
    ]);
    expect(reg.err).toBe('');
    expect(reg.code).toBe(0);
    expect(reg.out).toMatch(/^NAME\s+VERSION\s+STAGE/);
    expect(reg.out).toMatch(/llama-7b-chat\s+v2\.1\s+none\s+vllm/);

    const list = await cli(['registry', 'list', '-o', 'json', ...as(p.adminToken)]);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'llama-7b-chat', latestVersion: 'v2.1', versionCount: 1 })]);

    const stage = await cli(['registry', 'stage', 'llama-7b-chat', 'v2.1', 'production', '-o', 'yaml', ...as(p.adminToken)]);
    expect(stage.code).toBe(0);
    expect(parseYaml(stage.out)).toMatchObject({ stage: 'production', metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready', 'chat'] } });

    const get = await cli(['registry', 'get', 'llama-7b-chat', '-o', 'json', ...as(p.adminToken)]);
    expect(JSON.parse(get.out)).toMatchObject({ model: { productionVersion: 'v2.1' }, versions: [{ version: 'v2.1' }] });

    const badStage = await cli(['registry', 'stage', 'llama-7b-chat', 'v2.1', 'live', ...as(p.adminToken)]);
    expect(badStage.code).toBe(2);
    expect(badStage.err).toMatch(/^error E_USAGE: <stage>/);
  });

  it('models list, get and scale; routes list and get', async () => {
    const list = await cli(['models', 'list', ...as(p.tokens.ml)]);
    expect(list.code).toBe(0);
    expect(list.out.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+MODEL\s+FRAMEWORK\s+REPLICAS/);
    expect(list.out).toMatch(/production\s+llama-7b-chat\s+llama-7b-chat\s+vllm\s+2/);

    const get = await cli(['models', 'get', 'llama-7b-chat', '-n', 'production', '-o', 'json', ...as(p.tokens.ml)]);
    const m = JSON.parse(get.out) as { name: string; status: { health: string } };
    expect(m.name).toBe('llama-7b-chat');
    expect(m.status.health).toBe('Unknown');

    const scale = await cli(['models', 'scale', 'llama-7b-chat', '3', '-n', 'staging', '-o', 'json', ...as(p.tokens.ml)]);
    expect(scale.code).toBe(0);
    expect((JSON.parse(scale.out) as { resource: { spec: { replicas: number } } }).resource.spec.replicas).toBe(3);

    const routes = await cli(['routes', 'list', '-n', 'production', ...as(p.tokens.ml)]);
    expect(routes.out).toMatch(/production\s+chat-api-v2\s+\/v2\/chat\s+weighted_round_robin\s+llama-7b-chat:100/);
    const route = await cli(['routes', 'get', 'chat-api-v2', '-n', 'production', '-o', 'yaml', ...as(p.tokens.ml)]);
    expect(parseYaml(route.out)).toMatchObject({ name: 'chat-api-v2', manifest: { kind: 'GatewayRoute' } });
  });

  it('keys create prints the key once; list and revoke never show it', async () => {
    const created = await cli(['keys', 'create', 'team-a', '--route', 'chat-api-v2', '--tier', 'premium', '--rpm', '600', '-o', 'json', ...as(p.adminToken)]);
    expect(created.code).toBe(0);
    expect(created.err).toMatch(/not shown again/);
    const { key, info } = JSON.parse(created.out) as { key: string; info: { id: string; rpm: number } };
    expect(info.rpm).toBe(600);
    const list = await cli(['keys', 'list', ...as(p.adminToken)]);
    expect(list.out).toMatch(/team-a/);
    expect(list.out).not.toContain(key);
    const revoked = await cli(['keys', 'revoke', info.id, '-o', 'json', ...as(p.adminToken)]);
    expect((JSON.parse(revoked.out) as { revokedAt?: string }).revokedAt).toBeDefined();
    expect(revoked.out).not.toContain(key);
    expect((await cli(['keys', 'list', ...as(p.adminToken)])).out).not.toMatch(/team-a/);
    expect((await cli(['keys', 'list', '--all', ...as(p.adminToken)])).out).toMatch(/team-a/);
  });

  it('audit lists the CLI changes with via cli and honours --limit', async () => {
    const res = await cli(['audit', '--limit', '3', '-o', 'json', ...as(p.adminToken)]);
    expect(res.code).toBe(0);
    const entries = JSON.parse(res.out) as { action: string; via: string; subject: string }[];
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ action: 'apikey.revoke', via: 'cli', subject: 'admin' });
    const table = await cli(['audit', '--via', 'cli', '--subject', 'bob', ...as(p.adminToken)]);
    expect(table.out).toMatch(/bob\s+cli\s+model\.scale\s+ModelDeployment\/staging\/llama-7b-chat/);
  });

  it('takes the server and token from PLOYD_SERVER and PLOYD_TOKEN', async () => {
    const res = await cli(['routes', 'list', '-o', 'json'], { PLOYD_SERVER: server.url, PLOYD_TOKEN: p.tokens.sre });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toHaveLength(1);
  });

  it('errors print error E_CODE: message and exit with the code of the error', async () => {
    const noToken = await cli(['models', 'list', '--server', server.url]);
    expect(noToken).toMatchObject({ code: 4, out: '' });
    expect(noToken.err).toMatch(/^error E_UNAUTHENTICATED: /);
    const badToken = await cli(['models', 'list', ...as('pt_bogus')]);
    expect(badToken.code).toBe(4);
    expect(badToken.err).toBe('error E_UNAUTHENTICATED: invalid, expired or revoked token\n');
    const forbidden = await cli(['models', 'scale', 'llama-7b-chat', '1', '-n', 'production', ...as(p.tokens.ml)]);
    expect(forbidden.code).toBe(4);
    expect(forbidden.err).toBe('error E_FORBIDDEN: permission denied: applications, sync, llm-models/production/llama-7b-chat\n');
    const missing = await cli(['models', 'get', 'nope', ...as(p.adminToken)]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error E_NOT_FOUND: /);
    const badReplicas = await cli(['models', 'scale', 'llama-7b-chat', 'many', ...as(p.adminToken)]);
    expect(badReplicas.code).toBe(2);
    expect(badReplicas.err).toMatch(/^error E_USAGE: <replicas>/);
    const badOutput = await cli(['models', 'list', '-o', 'xml', ...as(p.adminToken)]);
    expect(badOutput.code).toBe(2);
    expect(badOutput.err).toMatch(/^error E_USAGE: --output must be one of table, json, yaml/);
    const down = await cli(['models', 'list', '--server', 'http://127.0.0.1:9', '--token', 'x']);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/^error E_SERVER_UNREACHABLE: /);
  });
});
