import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { route } from './helpers.ts';

/** Sends raw bytes and resolves with everything the gateway answered before closing. */
function raw(port: number, data: string | Buffer, opts: { keepOpenMs?: number } = {}): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('close', () => resolve({ text, closedAfterMs: Date.now() - t0 }));
    s.on('error', () => undefined);
    s.write(data);
    if (opts.keepOpenMs === undefined) s.end();
  });
}

describe('hostile clients get OpenAI-style errors and the gateway stays up', () => {
  let up: FakeUpstream;
  let gw: Gateway;
  let port: number;
  let base: string;

  beforeAll(async () => {
    up = await startFakeUpstream('up');
    gw = createGateway({
      logger: createLogger({ level: 'silent' }),
      limits: { maxBodyBytes: 1024, headersTimeoutMs: 400, requestTimeoutMs: 800, connectionsCheckingIntervalMs: 100, maxHeaderBytes: 4096 },
    });
    gw.publish({ routes: [route('r', { path: '/v1', models: [{ name: 'up', url: up.url }] })], deployments: [], endpoints: [] });
    port = (await gw.listen(0)).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gw.close();
    await up.close();
  });

  const post = async (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await request(`${base}/v1/chat/completions`, { method: 'POST', headers, body });
    return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as { error: Record<string, unknown> } };
  };

  it('oversized body (declared): 413', async () => {
    const r = await post(Buffer.alloc(4096, 'a'));
    expect(r.status).toBe(413);
    expect(r.json.error).toMatchObject({ code: 'E_BODY_TOO_LARGE', type: 'invalid_request_error' });
  });

  it('oversized body (chunked, no length): 413', async () => {
    const res = await request(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from(Array.from({ length: 8 }, () => Buffer.alloc(512, 'a'))),
    }).catch((err: unknown) => err);
    // Either the 413 arrives or the socket is closed while the client still sends: never a 2xx.
    if (res instanceof Error) expect(res).toBeInstanceOf(Error);
    else expect((res as { statusCode: number }).statusCode).toBe(413);
  });

  it('malformed JSON: 400 with a message', async () => {
    const r = await post('{"model": "m", "messages": [');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'E_BAD_REQUEST', type: 'invalid_request_error' });
    expect(String(r.json.error.message)).toMatch(/not valid JSON/);
  });

  it('JSON that is not an object, or has no model: 400 naming the param', async () => {
    expect((await post('[1,2]')).status).toBe(400);
    const r = await post('{"messages": []}');
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe('model');
  });

  it('wrong content type: 415', async () => {
    const r = await post('model=m', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.json.error.code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
  });

  it('unknown path: 404; wrong method: 405', async () => {
    const a = await request(`${base}/v1/nothing`, { method: 'POST' });
    expect(a.statusCode).toBe(404);
    expect(((await a.body.json()) as { error: { code: string } }).error.code).toBe('E_ROUTE_NOT_FOUND');
    const b = await request(`${base}/v1/chat/completions`, { method: 'DELETE' });
    expect(b.statusCode).toBe(405);
    await b.body.dump();
  });

  it('slowloris: a client that never finishes its headers is cut off', async () => {
    const r = await raw(port, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ', { keepOpenMs: 5000 });
    expect(r.closedAfterMs).toBeLessThan(3000);
  });

  it('a body that never finishes is cut off by the request timeout', async () => {
    const r = await raw(port, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mo', { keepOpenMs: 5000 });
    expect(r.closedAfterMs).toBeLessThan(3000);
  });

  it('oversized headers: 431; garbage: 400', async () => {
    const big = await raw(port, `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(big.text).toMatch(/^HTTP\/1.1 431/);
    const garbage = await raw(port, 'HELLO THERE\r\n\r\n');
    expect(garbage.text).toMatch(/^HTTP\/1.1 400/);
  });

  it('is still up and serving afterwards', async () => {
    const r = await request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [] }) });
    expect(r.statusCode).toBe(200);
    await r.body.dump();
    expect((await request(`${base}/healthz`)).statusCode).toBe(200);
  });
});
