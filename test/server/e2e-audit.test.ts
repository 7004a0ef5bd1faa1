import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelManifest, routeManifest, startPlatform, type Platform } from './helpers.ts';

interface AuditJson {
  items: { id: number; at: string; subject: string; via: string; action: string; resource: string; before?: unknown; after?: unknown }[];
  nextCursor?: string;
}

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => {
  await p.close();
});

describe('end to end over HTTP', () => {
  it('the audit log lists every change the test made: who, what, before and after, through what', async () => {
    const started = new Date().toISOString();
    const changes: { action: string; resource: string; subject: string; via: string }[] = [];
    const expectOk = async (res: Response, status: number): Promise<unknown> => {
      expect(res.status, await res.clone().text()).toBe(status);
      return res.status === 204 ? undefined : res.json();
    };
    const cli = { 'x-ployd-client': 'cli' };

    // admin, through the API
    await expectOk(await p.call('POST', '/api/v1/registry/models', { body: { name: 'llama-7b-chat', version: 'v2.1', path: 's3://m/v2.1', metadata: { accuracy: 0.92 } } }), 201);
    changes.push({ action: 'registry.register', resource: 'RegistryModel/llama-7b-chat/v2.1', subject: 'admin', via: 'api' });
    await expectOk(await p.call('PUT', '/api/v1/registry/models/llama-7b-chat/versions/v2.1/stage', { body: { stage: 'production' } }), 200);
    changes.push({ action: 'registry.stage', resource: 'RegistryModel/llama-7b-chat/v2.1', subject: 'admin', via: 'api' });
    await expectOk(await p.call('POST', '/api/v1/models', { body: modelManifest('llama-7b-chat', 'development', { project: 'llm-models' }) }), 201);
    changes.push({ action: 'model.deploy', resource: 'ModelDeployment/development/llama-7b-chat', subject: 'admin', via: 'api' });
    await expectOk(await p.call('POST', '/api/v1/registry/deployments', { body: { model: 'llama-7b-chat', version: 'v2.1', environment: 'development' } }), 201);
    changes.push({ action: 'registry.track', resource: 'Deployment/llama-7b-chat/development', subject: 'admin', via: 'api' });
    await expectOk(await p.call('POST', '/api/v1/routes', { body: routeManifest('chat', 'development', 'llama-7b-chat', 'llm-models') }), 201);
    changes.push({ action: 'route.create', resource: 'GatewayRoute/development/chat', subject: 'admin', via: 'api' });
    const key = (await expectOk(await p.call('POST', '/api/v1/keys', { body: { name: 'team-a', routes: ['chat'] } }), 201)) as { info: { id: string } };
    changes.push({ action: 'apikey.create', resource: `ApiKey/${key.info.id}`, subject: 'admin', via: 'api' });
    await expectOk(await p.call('POST', '/api/v1/policies', { body: { apiVersion: 'ployd.ai/v1', kind: 'Policy', metadata: { name: 'always' }, spec: { validations: [{ expression: 'true' }] } } }), 201);
    changes.push({ action: 'policy.create', resource: 'Policy/default/always', subject: 'admin', via: 'api' });

    // an ML engineer, through the CLI header
    await expectOk(await p.call('PUT', '/api/v1/models/development/llama-7b-chat/scale', { token: p.tokens.ml, body: { replicas: 2 }, headers: cli }), 200);
    changes.push({ action: 'model.scale', resource: 'ModelDeployment/development/llama-7b-chat', subject: 'bob', via: 'cli' });
    // an SRE updates the route (conditionally) and later deletes the model
    const route = (await expectOk(await p.call('GET', '/api/v1/routes/development/chat', { token: p.tokens.sre }), 200)) as { manifest: Record<string, unknown>; resourceVersion: number };
    await expectOk(
      await p.call('PUT', '/api/v1/routes/development/chat', {
        token: p.tokens.sre,
        body: { ...route.manifest, spec: { path: '/v2/chat', models: [{ name: 'llama-7b-chat', weight: 100 }], routing: { strategy: 'least_busy' } } },
        headers: { 'if-match': `"${route.resourceVersion}"` },
      }),
      200,
    );
    changes.push({ action: 'route.update', resource: 'GatewayRoute/development/chat', subject: 'carol', via: 'api' });
    await expectOk(await p.call('DELETE', '/api/v1/policies/default/always'), 204);
    changes.push({ action: 'policy.delete', resource: 'Policy/default/always', subject: 'admin', via: 'api' });
    await expectOk(await p.call('DELETE', `/api/v1/keys/${key.info.id}`), 200);
    changes.push({ action: 'apikey.revoke', resource: `ApiKey/${key.info.id}`, subject: 'admin', via: 'api' });
    await expectOk(await p.call('DELETE', '/api/v1/models/development/llama-7b-chat', { token: p.tokens.sre }), 204);
    changes.push({ action: 'model.delete', resource: 'ModelDeployment/development/llama-7b-chat', subject: 'carol', via: 'api' });

    // Refused and invalid requests change nothing, so they must not appear.
    expect((await p.call('PUT', '/api/v1/models/development/llama-7b-chat/scale', { token: p.tokens.nobody, body: { replicas: 9 } })).status).toBe(403);
    expect((await p.call('POST', '/api/v1/keys', { body: { name: '' } })).status).toBe(400);

    const entries: AuditJson['items'] = [];
    let cursor: string | undefined;
    do {
      const page = (await expectOk(await p.call('GET', `/api/v1/audit?since=${encodeURIComponent(started)}&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), 200)) as AuditJson;
      entries.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    const seen = entries.map((e) => ({ action: e.action, resource: e.resource, subject: e.subject, via: e.via }));
    // Newest first: the reverse of the order the changes were made, and nothing else.
    expect(seen).toEqual([...changes].reverse());
    const scale = entries.find((e) => e.action === 'model.scale');
    expect(scale?.before).toBeDefined();
    expect(scale?.after).toBeDefined();
    expect(JSON.stringify(scale?.after)).toContain('"replicas":2');
    const del = entries.find((e) => e.action === 'model.delete');
    expect(del?.before).toBeDefined();
    expect(del?.after).toBeUndefined();
  });

  it('keys and tokens appear once, at creation, and never in responses, the audit log or the logs', async () => {
    const key = (await (await p.call('POST', '/api/v1/keys', { body: { name: 'secret-check' } })).json()) as { key: string; info: { id: string } };
    const token = (await (await p.call('POST', '/api/v1/tokens', { body: { name: 'secret-check', subject: 'dave', groups: ['sre-team'] } })).json()) as {
      token: string;
      info: { id: string };
    };
    expect(key.key.length).toBeGreaterThan(20);
    expect(token.token.length).toBeGreaterThan(20);
    // Use them, including in ways that fail, so they pass through auth and error paths.
    expect((await p.call('GET', '/api/v1/models', { token: token.token })).status).toBe(200);
    expect((await p.call('GET', '/api/v1/audit', { token: token.token })).status).toBe(403);
    expect((await p.call('GET', '/api/v1/models', { token: key.key })).status).toBe(401);
    expect((await p.call('GET', `/api/v1/models?cursor=${encodeURIComponent(token.token)}`)).status).toBeGreaterThanOrEqual(400);

    const bodies: string[] = [];
    for (const path of ['/api/v1/keys?includeRevoked=true', `/api/v1/keys/${key.info.id}`, '/api/v1/tokens?includeRevoked=true', '/api/v1/audit?limit=1000', '/api/v1/whoami']) {
      const res = await p.call('GET', path);
      expect(res.status, path).toBe(200);
      bodies.push(await res.text());
    }
    bodies.push(await (await p.call('DELETE', `/api/v1/keys/${key.info.id}`)).text());
    bodies.push(await (await p.call('DELETE', `/api/v1/tokens/${token.info.id}`)).text());
    const secrets = [key.key, token.token, p.adminToken, p.tokens.ml, p.tokens.sre, p.tokens.nobody];
    // The secret part after the recognisable prefix must not leak either.
    const tails = secrets.map((s) => s.slice(-16));
    for (const body of bodies) for (const t of tails) expect(body).not.toContain(t);

    expect(p.logLines.length).toBeGreaterThan(10);
    const log = p.logLines.join('');
    expect(log).toContain('"component":"access"');
    for (const t of tails) expect(log).not.toContain(t);
    expect(log.toLowerCase()).not.toContain('bearer');
  });
});
