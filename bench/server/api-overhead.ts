// What the control-plane API adds on top of the in-process SDK: the same reads and writes
// through (a) the SDK directly, (b) the Hono app in-process (auth, RBAC, validation, JSON) and
// (c) PloydClient over a real socket. Prints medians of several runs and ratios to (a), the
// baseline measured in the same run.
//
//   node --import tsx bench/server/api-overhead.ts [--models 50] [--iterations 200] [--runs 5]
// Uses Postgres when PLOYD_TEST_DATABASE_URL is set (a fresh schema, dropped afterwards), else PGlite in memory.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { PloydClient } from '../../src/index.ts';
import { createPloyd, SYSTEM_ACTOR, type Actor } from '../../src/sdk/index.ts';
import { createServerApp, startServer } from '../../src/server/index.ts';
import { openStore } from '../../src/store/index.ts';

const { values } = parseArgs({
  options: { models: { type: 'string', default: '50' }, iterations: { type: 'string', default: '200' }, runs: { type: 'string', default: '5' } },
});
const MODELS = Number(values.models);
const N = Number(values.iterations);
const RUNS = Number(values.runs);

const url = process.env.PLOYD_TEST_DATABASE_URL;
const schema = `ployd_bench_${randomBytes(4).toString('hex')}`;
const store = url ? await openStore({ url, schema }) : await openStore({ dataDir: 'memory://' });
const logger = pino({ level: 'silent' });
const ployd = createPloyd({ store, logger });
const admin = (await ployd.security.ensureAdminToken()) ?? '';
const principal = await ployd.security.verifyToken(admin);
if (!principal) throw new Error('no admin principal');
const actor: Actor = { subject: principal.subject, groups: principal.groups, via: 'api' };
for (let i = 0; i < MODELS; i++) {
  await ployd.modelServing.deployModel({ name: `bench-${i}`, namespace: 'bench', modelPath: `s3://m/${i}`, framework: 'vllm', maxReplicas: 5 }, SYSTEM_ACTOR);
}
const app = createServerApp({ ployd, logger });
const server = await startServer({ ployd, logger, port: 0 });
const client = new PloydClient({ server: server.url, token: admin });
/** app.request that fails loudly: a benchmark of error responses would measure the wrong thing. */
async function ok(res: Response | Promise<Response>): Promise<unknown> {
  const r = await res;
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
  return r.json();
}
const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };

async function time(fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10; i++) await fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / 1e6 / N;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const scenarios: Record<string, Record<'sdk' | 'app' | 'client', (i: number) => Promise<unknown>>> = {
  [`list ${MODELS} models`]: {
    sdk: () => ployd.modelServing.listModels({ namespace: 'bench', limit: 1000 }),
    app: () => ok(app.request('/api/v1/models?namespace=bench&limit=1000', { headers })),
    client: () => client.modelServing.listModels({ namespace: 'bench', limit: 1000 }),
  },
  'get one model': {
    sdk: () => ployd.modelServing.getModel({ namespace: 'bench', name: 'bench-0' }),
    app: () => ok(app.request('/api/v1/models/bench/bench-0', { headers })),
    client: () => client.modelServing.getModel({ namespace: 'bench', name: 'bench-0' }),
  },
  'scale (audited write)': {
    sdk: (i) => ployd.modelServing.scaleModel({ namespace: 'bench', name: 'bench-1' }, (i % 4) + 1, actor),
    app: (i) => ok(app.request('/api/v1/models/bench/bench-1/scale', { method: 'PUT', headers, body: JSON.stringify({ replicas: (i % 4) + 1 }) })),
    client: (i) => client.modelServing.scaleModel({ namespace: 'bench', name: 'bench-1' }, (i % 4) + 1),
  },
};

console.log(`control-plane API overhead: ${url ? 'Postgres' : 'PGlite (memory)'}, ${MODELS} models, ${N} calls per run, median of ${RUNS} runs (ms per call)`);
for (const [name, s] of Object.entries(scenarios)) {
  const r: Record<string, number[]> = { sdk: [], app: [], client: [] };
  for (let run = 0; run < RUNS; run++) for (const k of ['sdk', 'app', 'client'] as const) r[k]?.push(await time(s[k]));
  const [sdk, viaApp, viaClient] = [median(r.sdk ?? []), median(r.app ?? []), median(r.client ?? [])];
  console.log(
    `  ${name.padEnd(24)} sdk ${sdk.toFixed(3)}  app.request ${viaApp.toFixed(3)} (${(viaApp / sdk).toFixed(2)}×)  PloydClient+socket ${viaClient.toFixed(3)} (${(viaClient / sdk).toFixed(2)}×)`,
  );
}

await client.close();
await server.close();
await ployd.close();
await store.close();
if (url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`drop schema if exists "${schema}" cascade`);
  await c.end();
}
