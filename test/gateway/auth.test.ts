import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { FakeVerifier, route } from './helpers.ts';

const b64url = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('authentication: API keys and JWT', () => {
  let up: FakeUpstream;
  let enterprise: FakeUpstream;
  let gw: Gateway;
  let base: string;
  let jwks: Server;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let publicPem: string;
  const verifier = new FakeVerifier()
    .add('sk-good', { id: 'k1' })
    .add('sk-old', { id: 'k2', expiresAt: new Date(Date.now() - 1000) })
    .add('sk-scoped', { id: 'k3', routes: ['other'] })
    .add('sk-enterprise', { id: 'k4', tiers: ['enterprise'] })
    .add('sk-limited', { id: 'k5', rpm: 2 });

  beforeAll(async () => {
    up = await startFakeUpstream('default');
    enterprise = await startFakeUpstream('enterprise');
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;

    gw = createGateway({ logger: createLogger({ level: 'silent' }), verifier });
    const backends = [{ name: 'default', url: up.url }];
    gw.publish({
      routes: [
        route('keys', {
          path: '/v1',
          authentication: { required: true, methods: ['api_key'] },
          rules: [{ matches: [{ headers: [{ name: 'x-model-tier', value: 'enterprise' }] }], backends: [{ name: 'enterprise', url: enterprise.url }] }, { backends }],
        }),
        route('jwks', { path: '/jwks', authentication: { required: true, methods: ['jwt'], jwt: { jwksUrl, issuer: 'https://issuer.test', audience: 'ployd', algorithms: ['RS256'] } }, models: backends }),
        // Deliberately lax allow-list: even with HS256 allowed, an RSA public key is never an HMAC secret.
        route('pem', { path: '/pem', authentication: { required: true, methods: ['jwt'], jwt: { keys: [publicPem], algorithms: ['RS256', 'HS256'] } }, models: backends }),
        route('strict', { path: '/strict', authentication: { required: true, methods: ['api_key'] }, rules: [{ matches: [{ model: 'known' }], backends }] }),
        route('open', { path: '/open', authentication: { required: false, methods: ['api_key'] }, models: backends }),
      ],
      deployments: [],
      endpoints: [],
    });
    base = `http://127.0.0.1:${(await gw.listen(0)).port}`;
  });
  afterAll(async () => {
    await gw.close();
    await up.close();
    await enterprise.close();
    await new Promise((r) => jwks.close(r));
  });

  async function call(path: string, headers: Record<string, string>): Promise<{ status: number; code: string | undefined; headers: Record<string, unknown> }> {
    const res = await request(`${base}${path}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    const json = (await res.body.json()) as { error?: { code: string } };
    return { status: res.statusCode, code: json.error?.code, headers: res.headers };
  }
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const jwt = (claims: Record<string, unknown>, key: CryptoKey = privateKey, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }) =>
    new SignJWT(claims).setProtectedHeader(header as { alg: string }).setIssuedAt().setExpirationTime('5m').sign(key);

  it('API key via Bearer and via x-api-key', async () => {
    expect((await call('/v1', bearer('sk-good'))).status).toBe(200);
    expect((await call('/v1', { 'x-api-key': 'sk-good' })).status).toBe(200);
  });

  it('missing, unknown and expired keys: 401; a key scoped to another route: 403', async () => {
    expect(await call('/v1', {})).toMatchObject({ status: 401, code: 'E_UNAUTHENTICATED' });
    expect(await call('/v1', bearer('sk-nope'))).toMatchObject({ status: 401, code: 'E_UNAUTHENTICATED' });
    expect(await call('/v1', bearer('sk-old'))).toMatchObject({ status: 401, code: 'E_TOKEN_EXPIRED' });
    expect(await call('/v1', bearer('sk-scoped'))).toMatchObject({ status: 403, code: 'E_FORBIDDEN' });
  });

  it('the tier comes from the key, never from what the client sends', async () => {
    const before = enterprise.requests;
    // A key without the tier cannot buy its way in with a header.
    expect((await call('/v1', { ...bearer('sk-good'), 'x-model-tier': 'enterprise' })).headers['x-ployd-backend']).toBe('default');
    expect(enterprise.requests).toBe(before);
    const r = await call('/v1', bearer('sk-enterprise'));
    expect(r.headers['x-ployd-backend']).toBe('enterprise');
    expect(enterprise.headers.at(-1)?.['x-model-tier']).toBe('enterprise');
  });

  it('keys that change on one keep-alive connection are each judged on their own (the connection memo)', async () => {
    const pool = new Pool(base, { connections: 1, pipelining: 1 });
    const one = async (key: string): Promise<{ status: number; backend: unknown }> => {
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'm', messages: [] }) });
      await res.body.dump();
      return { status: res.statusCode, backend: res.headers['x-ployd-backend'] };
    };
    try {
      const seen = [];
      for (const key of ['sk-good', 'sk-good', 'sk-enterprise', 'sk-good', 'sk-scoped', 'sk-nope', 'sk-old', 'sk-enterprise', 'sk-enterprise', 'sk-good']) seen.push(await one(key));
      expect(seen).toEqual([
        { status: 200, backend: 'default' },
        { status: 200, backend: 'default' },
        { status: 200, backend: 'enterprise' },
        { status: 200, backend: 'default' },
        { status: 403, backend: undefined },
        { status: 401, backend: undefined },
        { status: 401, backend: undefined },
        { status: 200, backend: 'enterprise' },
        { status: 200, backend: 'enterprise' },
        { status: 200, backend: 'default' },
      ]);
    } finally {
      await pool.close();
    }
  });

  it('per-key limits apply (rpm from the store)', async () => {
    expect((await call('/v1', bearer('sk-limited'))).status).toBe(200);
    expect((await call('/v1', bearer('sk-limited'))).status).toBe(200);
    const r = await call('/v1', bearer('sk-limited'));
    expect(r).toMatchObject({ status: 429, code: 'E_RATE_LIMITED' });
    expect(r.headers['retry-after']).toBeDefined();
    expect(r.headers['x-ratelimit-remaining-requests']).toBe('0');
  });

  it('an unknown model is not revealed to an unauthenticated client', async () => {
    const anonymous = await request(`${base}/strict/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'secret-model', messages: [] }) });
    expect(anonymous.statusCode).toBe(401);
    await anonymous.body.dump();
    const authenticated = await request(`${base}/strict/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-good' }, body: JSON.stringify({ model: 'secret-model', messages: [] }) });
    expect(authenticated.statusCode).toBe(404);
    await authenticated.body.dump();
  });

  it('a route without required auth admits anonymous clients', async () => {
    expect((await call('/open', {})).status).toBe(200);
  });

  it('JWT RS256 with keys from a JWKS URL', async () => {
    const t = await jwt({ sub: 'alice', iss: 'https://issuer.test', aud: 'ployd' });
    expect((await call('/jwks', bearer(t))).status).toBe(200);
  });

  it('JWT with a wrong issuer, audience, signer, or expired: 401', async () => {
    expect((await call('/jwks', bearer(await jwt({ sub: 'a', iss: 'https://evil.test', aud: 'ployd' })))).status).toBe(401);
    expect((await call('/jwks', bearer(await jwt({ sub: 'a', iss: 'https://issuer.test', aud: 'other' })))).status).toBe(401);
    expect((await call('/jwks', bearer(await jwt({ sub: 'a', iss: 'https://issuer.test', aud: 'ployd' }, otherKey))))).toMatchObject({ status: 401 });
    const expired = await new SignJWT({ sub: 'a', iss: 'https://issuer.test', aud: 'ployd' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt(1000).setExpirationTime(2000).sign(privateKey);
    expect(await call('/jwks', bearer(expired))).toMatchObject({ status: 401, code: 'E_TOKEN_EXPIRED' });
  });

  it('alg none is rejected', async () => {
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'mallory', iss: 'https://issuer.test', aud: 'ployd', exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    expect((await call('/jwks', bearer(none))).status).toBe(401);
    expect((await call('/pem', bearer(none))).status).toBe(401);
  });

  it('HS/RS confusion is rejected: HS256 "signed" with the RSA public key as secret', async () => {
    const header = b64url({ alg: 'HS256', typ: 'JWT' });
    const payload = b64url({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 300 });
    const sig = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    expect(await call('/pem', bearer(`${header}.${payload}.${sig}`))).toMatchObject({ status: 401, code: 'E_UNAUTHENTICATED' });
    expect((await call('/jwks', bearer(`${header}.${payload}.${sig}`))).status).toBe(401);
    // The same route accepts a real RS256 token: the refusal is about the algorithm, not the route.
    expect((await call('/pem', bearer(await jwt({ sub: 'bob' }, privateKey, { alg: 'RS256' })))).status).toBe(200);
  });
});
