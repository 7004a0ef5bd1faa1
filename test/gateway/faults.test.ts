import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { refusedUrl, startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { route } from './helpers.ts';

const log = createLogger({ level: 'silent' });

async function chat(base: string, body: Record<string, unknown> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Reads a raw SSE response; resolves with what arrived and whether the body ended cleanly. */
async function stream(base: string): Promise<{ status: number; text: string; clean: boolean }> {
  const res = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  let text = '';
  try {
    for await (const chunk of res.body) text += (chunk as Buffer).toString('utf8');
    return { status: res.statusCode, text, clean: true };
  } catch {
    return { status: res.statusCode, text, clean: false };
  }
}

describe('fault injection: retries and fallback before the first byte, an error event after', () => {
  let primary: FakeUpstream;
  let secondary: FakeUpstream;
  let gw: Gateway;
  let base: string;

  const publish = (spec: Record<string, unknown>, primaryUrl = primary.url): void =>
    gw.publish({
      routes: [
        route('r', {
          path: '/v1',
          routing: { timeout: '3s', retries: 2, backoff: { base: '5ms', max: '20ms' }, ...(spec.routing as object) },
          circuitBreaker: { failureThreshold: 50, recoveryTimeout: '30s', ...(spec.circuitBreaker as object) },
          models: [
            { name: 'primary', url: primaryUrl, weight: 100, priority: 1 },
            { name: 'secondary', url: secondary.url, weight: 0, priority: 2, fallback: true },
          ],
        }),
      ],
      deployments: [],
      endpoints: [],
    });

  beforeAll(async () => {
    primary = await startFakeUpstream('primary');
    secondary = await startFakeUpstream('secondary');
  });
  // A fresh gateway per test: breaker, cooldown and ejection state must not leak between cases.
  beforeEach(async () => {
    gw = createGateway({ logger: log });
    const { port } = await gw.listen(0);
    base = `http://127.0.0.1:${port}`;
  });
  afterEach(async () => {
    await gw.close();
    primary.mode = { kind: 'ok' };
    secondary.mode = { kind: 'ok' };
    primary.requests = 0;
    secondary.requests = 0;
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
  });

  it('connection refused: retried, then falls back by priority', async () => {
    publish({}, await refusedUrl());
    const r = await chat(base);
    expect(r.status).toBe(200);
    expect(r.headers['x-ployd-backend']).toBe('secondary');
    expect(r.text).toContain('hello from secondary');
  });

  it('500: retried `retries` times on the backend, then fallback', async () => {
    publish({});
    primary.mode = { kind: 'status', status: 500 };
    const r = await chat(base);
    expect(r.status).toBe(200);
    expect(primary.requests).toBe(3);
    expect(secondary.requests).toBe(1);
  });

  it('500 everywhere: the upstream error is passed on after all attempts', async () => {
    publish({});
    primary.mode = { kind: 'status', status: 503 };
    secondary.mode = { kind: 'status', status: 500 };
    const r = await chat(base);
    expect(r.status).toBe(500);
    expect(primary.requests + secondary.requests).toBe(6);
  });

  it('429 with Retry-After: the replica is left alone until then, traffic falls back', async () => {
    publish({});
    primary.mode = { kind: 'status', status: 429, retryAfter: '30' };
    const r = await chat(base);
    expect(r.status).toBe(200);
    expect(r.headers['x-ployd-backend']).toBe('secondary');
    expect(primary.requests).toBe(1);
    primary.mode = { kind: 'ok' };
    const again = await chat(base);
    expect(again.headers['x-ployd-backend']).toBe('secondary');
    expect(primary.requests).toBe(1);
  });

  it('429 with a short Retry-After and no fallback: waits, then retries the same backend', async () => {
    gw.publish({ routes: [route('r', { path: '/v1', routing: { timeout: '5s', retries: 1, backoff: { base: '1ms', max: '2ms' } }, models: [{ name: 'primary', url: primary.url }] })], deployments: [], endpoints: [] });
    primary.mode = { kind: 'status', status: 429, retryAfter: '1' };
    const t0 = Date.now();
    const pending = chat(base);
    setTimeout(() => (primary.mode = { kind: 'ok' }), 200);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(primary.requests).toBe(2);
  });

  it('429 with a Retry-After beyond the deadline and no fallback: the 429 is passed on', async () => {
    gw.publish({ routes: [route('r', { path: '/v1', routing: { timeout: '500ms', retries: 2 }, models: [{ name: 'primary', url: primary.url }] })], deployments: [], endpoints: [] });
    primary.mode = { kind: 'status', status: 429, retryAfter: '20' };
    const r = await chat(base);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('20');
  });

  it('an upstream that hangs: per-try timeout, then fallback', async () => {
    publish({ routing: { perTryTimeout: '100ms', retries: 0 } });
    primary.mode = { kind: 'hang' };
    const r = await chat(base);
    expect(r.status).toBe(200);
    expect(r.headers['x-ployd-backend']).toBe('secondary');
  });

  it('an upstream that hangs with no fallback: 504 at the route timeout', async () => {
    gw.publish({ routes: [route('r', { path: '/v1', routing: { timeout: '300ms', retries: 1 }, models: [{ name: 'primary', url: primary.url }] })], deployments: [], endpoints: [] });
    primary.mode = { kind: 'hang' };
    const t0 = Date.now();
    const r = await chat(base);
    expect(r.status).toBe(504);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'E_UPSTREAM_TIMEOUT', type: 'server_error' } });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('trickling bytes (non-streaming): the per-try timeout cuts it, fallback answers', async () => {
    publish({ routing: { perTryTimeout: '150ms', retries: 0 } });
    primary.mode = { kind: 'trickle', intervalMs: 30 };
    const r = await chat(base);
    expect(r.status).toBe(200);
    expect(r.headers['x-ployd-backend']).toBe('secondary');
  });

  it('dies mid-body (non-streaming): nothing reached the client yet, so it is retried', async () => {
    publish({ routing: { retries: 0 } });
    primary.mode = { kind: 'die-mid-stream', after: 0 };
    const r = await chat(base);
    expect(r.status).toBe(200);
    expect(r.headers['x-ployd-backend']).toBe('secondary');
  });

  it('a stream that dies before its first chunk is retried', async () => {
    publish({ routing: { retries: 0 } });
    primary.mode = { kind: 'die-mid-stream', after: 0 };
    const r = await stream(base);
    expect(r.status).toBe(200);
    expect(r.text).toContain('data: [DONE]');
    expect(secondary.requests).toBe(1);
  });

  it('a stream that dies after its first chunk ends with an SSE error event and a cut connection, never [DONE]', async () => {
    publish({});
    primary.mode = { kind: 'die-mid-stream', after: 3 };
    const r = await stream(base);
    expect(r.status).toBe(200);
    expect(r.text).toContain('t2 ');
    expect(r.text).not.toContain('[DONE]');
    const last = r.text.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.slice('data: '.length))).toMatchObject({ error: { code: 'E_UPSTREAM' } });
    expect(r.clean).toBe(false);
    // No retry after the first byte.
    expect(secondary.requests).toBe(0);
  });

  it('a trickling stream past the route timeout ends with a timeout error event', async () => {
    publish({ routing: { timeout: '300ms' } });
    primary.mode = { kind: 'trickle', intervalMs: 20 };
    const r = await stream(base);
    expect(r.text).not.toContain('[DONE]');
    expect(r.text).toContain('E_UPSTREAM_TIMEOUT');
    expect(r.clean).toBe(false);
  });

  it('a client that disconnects cancels the upstream request', async () => {
    publish({});
    primary.chunks = 100;
    primary.chunkIntervalMs = 20;
    const before = primary.aborted;
    const ac = new AbortController();
    const res = await request(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [], stream: true }),
      signal: ac.signal,
    });
    for await (const _chunk of res.body) {
      ac.abort();
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(primary.aborted).toBe(before + 1);
    primary.chunks = 5;
    primary.chunkIntervalMs = 1;
  });

  it('a full route queue sheds load with 503 and Retry-After', async () => {
    gw.publish({ routes: [route('r', { path: '/v1', routing: { timeout: '2s', retries: 0, maxQueue: 1 }, models: [{ name: 'primary', url: primary.url }] })], deployments: [], endpoints: [] });
    primary.mode = { kind: 'hang' };
    const first = chat(base);
    await new Promise((r) => setTimeout(r, 100));
    const second = await chat(base);
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    expect(JSON.parse(second.text)).toMatchObject({ error: { code: 'E_OVERLOADED' } });
    expect((await first).status).toBe(504);
  });

  it('circuit breaker: opens after failureThreshold, sheds to fallback, half-open probe closes it', async () => {
    publish({ routing: { retries: 0 }, circuitBreaker: { failureThreshold: 2, recoveryTimeout: '300ms', halfOpenRequests: 1 } });
    primary.mode = { kind: 'status', status: 500 };
    await chat(base);
    await chat(base);
    expect(primary.requests).toBe(2);
    // Open: the primary is not tried at all.
    for (let i = 0; i < 3; i++) expect((await chat(base)).headers['x-ployd-backend']).toBe('secondary');
    expect(primary.requests).toBe(2);
    const metrics = await (await request(`${base}/metrics`)).body.text();
    expect(metrics).toMatch(/ployd_gateway_circuit_breaker_state\{route="default\/r",backend="primary"\} 1/);
    // After recoveryTimeout one probe goes through; it succeeds and closes the breaker.
    primary.mode = { kind: 'ok' };
    await new Promise((r) => setTimeout(r, 350));
    expect((await chat(base)).headers['x-ployd-backend']).toBe('primary');
    expect((await chat(base)).headers['x-ployd-backend']).toBe('primary');
    const after = await (await request(`${base}/metrics`)).body.text();
    expect(after).toMatch(/ployd_gateway_circuit_breaker_state\{route="default\/r",backend="primary"\} 0/);
  });

  it('circuit breaker: a failed half-open probe re-opens it', async () => {
    publish({ routing: { retries: 0 }, circuitBreaker: { failureThreshold: 1, recoveryTimeout: '200ms' } });
    primary.mode = { kind: 'status', status: 500 };
    await chat(base); // opens
    await new Promise((r) => setTimeout(r, 250));
    await chat(base); // half-open probe fails, re-opens
    expect(primary.requests).toBe(2);
    await chat(base);
    expect(primary.requests).toBe(2);
  });
});
