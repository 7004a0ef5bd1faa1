import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApp, ROUTES } from '../../src/server/index.ts';
import { capturingLogger, modelManifest, routeManifest, startPlatform, type Platform } from './helpers.ts';

interface ErrorJson {
  error: { code: string; message: string; issues?: { path: string; message: string }[]; details?: Record<string, unknown> };
}

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => {
  await p.close();
});

describe('control-plane API: authentication and operations endpoints', () => {
  it('healthz and readyz need no token; everything else does', async () => {
    expect((await p.call('GET', '/healthz', { token: null })).status).toBe(200);
    const ready = await p.call('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { store: 'ok' } });
    for (const path of ['/api/v1/models', '/api/v1/openapi.json', '/metrics', '/api/v1/nope']) {
      const res = await p.call('GET', path, { token: null });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ployd"');
      expect(((await res.json()) as ErrorJson).error.code).toBe('E_UNAUTHENTICATED');
    }
  });

  it('a bad, malformed or revoked token is 401', async () => {
    expect((await p.call('GET', '/api/v1/models', { token: 'pt_not-a-real-token' })).status).toBe(401);
    expect((await p.call('GET', '/api/v1/models', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, token: null })).status).toBe(401);
    const created = (await (await p.call('POST', '/api/v1/tokens', { body: { name: 'tmp', subject: 'tmp' } })).json()) as { token: string; info: { id: string } };
    expect((await p.call('GET', '/api/v1/whoami', { token: created.token })).status).toBe(200);
    expect((await p.call('DELETE', `/api/v1/tokens/${created.info.id}`)).status).toBe(200);
    expect((await p.call('GET', '/api/v1/whoami', { token: created.token })).status).toBe(401);
  });

  it('readyz answers 503 when the store does not answer', async () => {
    const app = createServerApp({ ployd: p.ployd, logger: capturingLogger().logger, ready: () => Promise.reject(new Error('down')) });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { store: 'unreachable' } });
  });

  it('/metrics counts requests by route template, never by raw path', async () => {
    await p.call('GET', '/api/v1/models/default/some-name');
    const text = await (await p.call('GET', '/metrics')).text();
    expect(text).toContain('ployd_http_requests_total');
    expect(text).toMatch(/route="\/api\/v1\/models\/\{namespace\}\/\{name\}"/);
    expect(text).not.toContain('some-name');
    expect(text).toContain('ployd_http_request_duration_seconds_bucket');
  });

  it('serves the OpenAPI 3.1 document of every route it mounts', async () => {
    const res = await p.call('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const r of ROUTES) expect(doc.paths[`/api/v1${r.path}`]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
  });

  it('unknown endpoints are 404, wrong methods 405 with Allow', async () => {
    const nf = await p.call('GET', '/api/v1/nothing-here');
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as ErrorJson).error.code).toBe('E_NOT_FOUND');
    const na = await p.call('PATCH', '/api/v1/models');
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toBe('GET, POST');
  });
});

describe('control-plane API: bad input', () => {
  it('400 with field paths for wrong types, missing and unknown fields', async () => {
    const route = routeManifest('chat', 'default', 'm') as { spec: Record<string, unknown> };
    route.spec.models = [{ name: 'm', weight: 'ninety' }];
    route.spec.rateLimt = { enabled: true };
    const res = await p.call('POST', '/api/v1/routes', { body: route });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('E_VALIDATION');
    const paths = body.error.issues?.map((i) => i.path);
    expect(paths).toContain('spec.models[0].weight');
    expect(paths).toContain('spec.rateLimt');
    expect(body.error.issues?.find((i) => i.path === 'spec.rateLimt')?.message).toMatch(/did you mean rateLimit/);

    const reg = await p.call('POST', '/api/v1/registry/models', { body: { name: 'x', version: 'v1', framework: 'vllm', sneaky: true } });
    const regBody = (await reg.json()) as ErrorJson;
    expect(reg.status).toBe(400);
    expect(regBody.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'path' }), expect.objectContaining({ path: 'sneaky' })]));
  });

  it('400 for malformed JSON, for a missing body and for bad query parameters', async () => {
    const res = await p.call('POST', '/api/v1/keys', { body: '{"name": "a",' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorJson).error.message).toMatch(/malformed JSON/);
    expect((await p.call('POST', '/api/v1/keys')).status).toBe(400);
    const q = await p.call('GET', '/api/v1/models?limit=0&colour=red');
    expect(q.status).toBe(400);
    expect(((await q.json()) as ErrorJson).error.issues?.map((i) => i.path).sort()).toEqual(['colour', 'limit']);
  });

  it('415 for a non-JSON content type, 413 beyond 1 MiB', async () => {
    const res = await p.call('POST', '/api/v1/keys', { body: 'name=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorJson).error.code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    const big = JSON.stringify({ name: 'k', tiers: ['x'.repeat(1024 * 1024)] });
    const tooLarge = await p.call('POST', '/api/v1/keys', { body: big });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as ErrorJson).error.code).toBe('E_BODY_TOO_LARGE');
  });

  it('injection attempts in names and filters are inert', async () => {
    for (const name of ["x'; drop table resources; --", '..%2F..%2Fetc', 'a%00b', 'UPPER']) {
      const res = await p.call('GET', `/api/v1/models/default/${encodeURIComponent(name)}`);
      expect(res.status, name).toBe(400);
    }
    const filtered = await p.call('GET', `/api/v1/audit?subject=${encodeURIComponent("' OR 1=1 --")}&resource=${encodeURIComponent("%' OR '1'='1")}`);
    expect(filtered.status).toBe(200);
    expect(((await filtered.json()) as { items: unknown[] }).items).toEqual([]);
    const keyName = "robert'); DROP TABLE api_keys;--";
    const created = await p.call('POST', '/api/v1/keys', { body: { name: keyName } });
    expect(created.status).toBe(201);
    const list = (await (await p.call('GET', '/api/v1/keys')).json()) as { items: { name: string }[] };
    expect(list.items.map((k) => k.name)).toContain(keyName);
    expect((await p.call('GET', '/readyz', { token: null })).status).toBe(200);
  });
});

describe('control-plane API: concurrency and pagination', () => {
  it('ETag on get, If-Match on update, 409 E_CONFLICT on a stale version', async () => {
    const created = await p.call('POST', '/api/v1/models', { body: modelManifest('etag-model', 'default') });
    expect(created.status).toBe(201);
    const get = await p.call('GET', '/api/v1/models/default/etag-model');
    const etag = get.headers.get('etag');
    expect(etag).toMatch(/^"\d+"$/);
    const ok = await p.call('PUT', '/api/v1/models/default/etag-model/scale', { body: { replicas: 3 }, headers: { 'if-match': etag ?? '' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).not.toBe(etag);
    const stale = await p.call('PUT', '/api/v1/models/default/etag-model/scale', { body: { replicas: 4 }, headers: { 'if-match': etag ?? '' } });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as ErrorJson).error.code).toBe('E_CONFLICT');
    const staleBody = await p.call('PUT', '/api/v1/models/default/etag-model', {
      body: { ...modelManifest('etag-model', 'default'), metadata: { name: 'etag-model', namespace: 'default', resourceVersion: 1 } },
    });
    expect(staleBody.status).toBe(409);
    const after = (await (await p.call('GET', '/api/v1/models/default/etag-model')).json()) as { resource: { spec: { replicas: number } } };
    expect(after.resource.spec.replicas).toBe(3);
    const disagree = await p.call('PUT', '/api/v1/models/default/etag-model/scale', { body: { replicas: 4, resourceVersion: 9 }, headers: { 'if-match': '"8"' } });
    expect(disagree.status).toBe(400);
  });

  it('of two concurrent writers with the same If-Match exactly one wins; the other gets 409', async () => {
    expect((await p.call('POST', '/api/v1/models', { body: modelManifest('race', 'default') })).status).toBe(201);
    const etag = (await p.call('GET', '/api/v1/models/default/race')).headers.get('etag') ?? '';
    const results = await Promise.all(
      [2, 3, 4, 5].map((replicas) => p.call('PUT', '/api/v1/models/default/race/scale', { body: { replicas }, headers: { 'if-match': etag } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    const winner = (await results.find((r) => r.status === 200)?.json()) as { resource: { spec: { replicas: number } } };
    const stored = (await (await p.call('GET', '/api/v1/models/default/race')).json()) as { resource: { spec: { replicas: number } } };
    expect(stored.resource.spec.replicas).toBe(winner.resource.spec.replicas);
  });

  it('pages with limit and cursor until nextCursor is absent', async () => {
    for (let i = 0; i < 5; i++) expect((await p.call('POST', '/api/v1/models', { body: modelManifest(`page-${i}`, 'paging') })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await p.call('GET', `/api/v1/models?namespace=paging&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const body = (await res.json()) as { items: { name: string }[]; nextCursor?: string };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((m) => m.name));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(seen.sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(pages).toBe(3);
  });
});
