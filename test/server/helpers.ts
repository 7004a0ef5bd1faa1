import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import type { Logger } from '../../src/log/index.ts';
import { createServerApp, startServer, type RunningServer } from '../../src/server/index.ts';
import { createPloyd, SYSTEM_ACTOR, type Ployd } from '../../src/sdk/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

/** A logger whose every line is kept, to prove what never reaches a log. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  // Same redaction as the product logger, at the most verbose level.
  return { logger: pino({ level: 'trace', redact: { paths: ['authorization', '*.authorization', 'token', '*.token', 'apiKey', '*.apiKey'], censor: '[redacted]' } }, stream), lines };
}

/** Seed 000's AppProject roles, as a ployd Project. */
export const LLM_MODELS_PROJECT = {
  apiVersion: 'ployd.ai/v1',
  kind: 'Project',
  metadata: { name: 'llm-models' },
  spec: {
    description: 'LLM Model Deployments',
    roles: [
      {
        name: 'ml-engineers',
        description: 'ML Engineers can deploy to dev/staging',
        policies: [
          'p, proj:llm-models:ml-engineers, applications, get, llm-models/*, allow',
          'p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow',
          'p, proj:llm-models:ml-engineers, applications, sync, llm-models/staging/*, allow',
        ],
        groups: ['ml-engineers'],
      },
      {
        name: 'sre-team',
        description: 'SRE team has full access',
        policies: ['p, proj:llm-models:sre-team, applications, *, llm-models/*, allow'],
        groups: ['sre-team'],
      },
    ],
  },
};

export interface Platform {
  readonly store: Store;
  readonly ployd: Ployd;
  readonly app: ReturnType<typeof createServerApp>;
  readonly logLines: string[];
  readonly adminToken: string;
  readonly tokens: { readonly ml: string; readonly sre: string; readonly nobody: string };
  /** `app.request` with a bearer token and JSON body. */
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  listen(): Promise<RunningServer>;
  close(): Promise<void>;
}

/**
 * A store per test file: a fresh Postgres schema when PLOYD_TEST_DATABASE_URL is set (fast, and
 * the production backend), else in-memory PGlite.
 */
async function openTestStore(): Promise<{ store: Store; drop: () => Promise<void> }> {
  const url = process.env.PLOYD_TEST_DATABASE_URL;
  if (!url) return { store: await openStore({ dataDir: 'memory://' }), drop: () => Promise.resolve() };
  const schema = `ployd_server_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ url, schema, poolSize: 5 });
  return {
    store,
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function startPlatform(): Promise<Platform> {
  const { store, drop } = await openTestStore();
  const { logger, lines } = capturingLogger();
  const ployd = createPloyd({ store, logger });
  const adminToken = await ployd.security.ensureAdminToken();
  if (adminToken === undefined) throw new Error('a fresh store must yield an admin token');
  await ployd.security.applyRbac(LLM_MODELS_PROJECT, SYSTEM_ACTOR);
  const mk = async (name: string, subject: string, groups: string[]) =>
    (await ployd.security.createToken({ name, subject, groups }, SYSTEM_ACTOR)).token;
  const tokens = {
    ml: await mk('bob', 'bob', ['ml-engineers']),
    sre: await mk('carol', 'carol', ['sre-team']),
    nobody: await mk('eve', 'eve', []),
  };
  const app = createServerApp({ ployd, logger });
  const servers: RunningServer[] = [];
  return {
    store,
    ployd,
    app,
    logLines: lines,
    adminToken,
    tokens,
    call: (method, path, options = {}) => {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const token = options.token === undefined ? adminToken : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }));
    },
    listen: async () => {
      const s = await startServer({ ployd, logger, port: 0 });
      servers.push(s);
      return s;
    },
    close: async () => {
      for (const s of servers) await s.close();
      await ployd.close();
      await store.close();
      await drop();
    },
  };
}

export function modelManifest(name: string, namespace: string, extra: { project?: string; replicas?: number } = {}): Record<string, unknown> {
  return {
    apiVersion: 'ployd.ai/v1',
    kind: 'ModelDeployment',
    metadata: { name, namespace, ...(extra.project ? { labels: { 'ployd.ai/project': extra.project } } : {}) },
    spec: {
      model: { framework: 'vllm', path: `s3://models/${name}` },
      ...(extra.replicas !== undefined ? { replicas: extra.replicas } : {}),
      scaling: { minReplicas: 1, maxReplicas: 5 },
    },
  };
}

export function routeManifest(name: string, namespace: string, backend: string, project?: string): Record<string, unknown> {
  return {
    apiVersion: 'ployd.ai/v1',
    kind: 'GatewayRoute',
    metadata: { name, namespace, ...(project ? { labels: { 'ployd.ai/project': project } } : {}) },
    spec: { path: '/v2/chat', models: [{ name: backend, weight: 100 }] },
  };
}
