import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { route } from './helpers.ts';

const REDIS_URL = process.env.PLOYD_TEST_REDIS_URL;
const body = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('rate limits in memory', () => {
  let up: FakeUpstream;
  let gw: Gateway;
  let base: string;
  beforeAll(async () => {
    up = await startFakeUpstream('up');
    gw = createGateway({ logger: createLogger({ level: 'silent' }) });
    gw.publish({
      routes: [
        route('req', { path: '/req', rateLimit: { global: { rpm: 60, burst: 5 } }, models: [{ name: 'up', url: up.url }] }),
        route('tok', { path: '/tok', rateLimit: { perClient: { tpm: 1000, key: 'ip' } }, models: [{ name: 'up', url: up.url }] }),
      ],
      deployments: [],
      endpoints: [],
    });
    base = `http://127.0.0.1:${(await gw.listen(0)).port}`;
  });
  afterAll(async () => {
    await gw.close();
    await up.close();
  });

  const post = async (path: string, b: string) => {
    const res = await request(`${base}${path}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
    await res.body.dump();
    return res;
  };

  it('requests per minute with burst: the burst passes, then 429 with OpenAI-style headers', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await post('/req', body());
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.headers['retry-after']).toBe('1');
    expect(last!.headers['x-ratelimit-limit-requests']).toBe('60');
    expect(last!.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(String(last!.headers['x-ratelimit-reset-requests'])).toMatch(/^\d+(ms|(\.\d+)?s)$/);
  });

  it('tokens per minute: max_tokens is reserved up front and settled with real usage', async () => {
    // Reserve ~600 (prompt estimate + max_tokens); usage says 9, so most comes back.
    const a = await post('/tok', body({ max_tokens: 600 }));
    expect(a.statusCode).toBe(200);
    expect(Number(a.headers['x-ratelimit-remaining-tokens'])).toBeLessThan(400);
    const b = await post('/tok', body({ max_tokens: 600 }));
    expect(b.statusCode).toBe(200);
    // A reservation that does not fit is refused with the tokens headers.
    const c = await post('/tok', body({ max_tokens: 999 }));
    expect(c.statusCode).toBe(429);
    expect(c.headers['x-ratelimit-limit-tokens']).toBe('1000');
  });
});

function startGatewayProcess(routes: unknown[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/gateway/gateway-process.ts'], {
    env: { ...process.env, PLOYD_TEST_ROUTES: JSON.stringify(routes), PLOYD_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
    child.stdout?.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });
}

describe('rate limits shared through Redis by two gateway processes', () => {
  it.skipIf(!REDIS_URL)('allows the limit within 1% under 200 concurrent clients (skips without PLOYD_TEST_REDIS_URL)', async () => {
    const up = await startFakeUpstream('up');
    // A fresh route name: buckets of earlier runs do not interfere.
    const name = `rl-${randomUUID().slice(0, 8)}`;
    const burst = 150;
    const manifest = { apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name }, spec: { path: '/v1', rateLimit: { global: { rpm: 60, burst } }, models: [{ name: 'up', url: up.url }] } };
    const gws = await Promise.all([startGatewayProcess([manifest]), startGatewayProcess([manifest])]);
    try {
      const pools = gws.map((g) => new Pool(`http://127.0.0.1:${g.port}`, { connections: 100 }));
      let ok = 0;
      let limited = 0;
      let other = 0;
      const t0 = Date.now();
      let sent = 0;
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const pool = pools[i % 2]!;
          while (sent++ < 1200) {
            const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
            await res.body.dump();
            if (res.statusCode === 200) ok++;
            else if (res.statusCode === 429) limited++;
            else other++;
          }
        }),
      );
      const elapsedS = (Date.now() - t0) / 1000;
      await Promise.all(pools.map((p) => p.close()));
      // The burst plus one request a second of refill while the test ran.
      const expected = burst + elapsedS;
      expect(other).toBe(0);
      expect(limited).toBeGreaterThan(0);
      expect(Math.abs(ok - expected)).toBeLessThanOrEqual(Math.ceil(expected * 0.01));
    } finally {
      for (const g of gws) {
        g.child.kill('SIGTERM');
        await once(g.child, 'exit');
      }
      await up.close();
    }
  });
});
