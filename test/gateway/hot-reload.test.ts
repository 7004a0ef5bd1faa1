import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type RouteTableInput } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { route } from './helpers.ts';

describe('hot reload under load', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let gw: Gateway;
  let base: string;

  beforeAll(async () => {
    a = await startFakeUpstream('a');
    b = await startFakeUpstream('b');
    gw = createGateway({ logger: createLogger({ level: 'silent' }) });
    base = `http://127.0.0.1:${(await gw.listen(0)).port}`;
  });
  afterAll(async () => {
    await gw.close();
    await a.close();
    await b.close();
  });

  it('swapping tables continuously while 2,000 requests run drops nothing', async () => {
    const tables: RouteTableInput[] = [
      { routes: [route('r', { path: '/v1', models: [{ name: 'a', url: a.url, weight: 90 }, { name: 'b', url: b.url, weight: 10 }] })], deployments: [], endpoints: [] },
      { routes: [route('r', { path: '/v1', models: [{ name: 'a', url: a.url, weight: 10 }, { name: 'b', url: b.url, weight: 90 }] })], deployments: [], endpoints: [] },
      // Same backends reached through rules with a different shape.
      { routes: [route('r', { path: '/v1', rules: [{ matches: [{ model: { type: 'Prefix', value: 'm' } }], backends: [{ name: 'b', url: b.url }] }, { backends: [{ name: 'a', url: a.url }] }] })], deployments: [], endpoints: [] },
    ];
    gw.publish(tables[0]!);
    let swaps = 0;
    let stop = false;
    const swapper = (async () => {
      while (!stop) {
        gw.publish(tables[swaps++ % tables.length]!);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const pool = new Pool(base, { connections: 32 });
    const statuses = new Map<number, number>();
    let next = 0;
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < 2000) {
          next++;
          const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await res.body.dump();
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        }
      }),
    );
    stop = true;
    await swapper;
    await pool.close();
    expect(Object.fromEntries(statuses)).toEqual({ 200: 2000 });
    expect(swaps).toBeGreaterThan(100);
    expect(a.requests + b.requests).toBe(2000);
    expect(a.requests).toBeGreaterThan(0);
    expect(b.requests).toBeGreaterThan(0);
  });

  it('an invalid table is refused and the current one stays', () => {
    const before = gw.snapshot;
    expect(() =>
      gw.publish({ routes: [route('bad', { path: '/v1', rules: [{ matches: [{ model: { type: 'RegularExpression', value: '(' } }], backends: [{ name: 'a', url: a.url }] }] })], deployments: [], endpoints: [] }),
    ).toThrow(/invalid regular expression/);
    expect(gw.snapshot).toBe(before);
  });
});
