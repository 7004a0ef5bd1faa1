// A local HTTP server that plays back API-server responses from test/fixtures/k8s-api and records
// every request, so the applier is tested over a real socket against the real client library.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface Reply {
  readonly status: number;
  /** A fixture file under test/fixtures/k8s-api, or a JSON value. */
  readonly fixture?: string;
  readonly json?: unknown;
}

const FIXTURES = new URL('../../fixtures/k8s-api/', import.meta.url);

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
}

/** Discovery documents every test cluster serves. */
export const DISCOVERY: Record<string, Reply> = {
  'GET /api/v1': { status: 200, fixture: 'discovery/api-v1.json' },
  'GET /apis/apps/v1': { status: 200, fixture: 'discovery/apis-apps-v1.json' },
  'GET /apis/autoscaling/v2': { status: 200, fixture: 'discovery/apis-autoscaling-v2.json' },
  'GET /apis/policy/v1': { status: 200, fixture: 'discovery/apis-policy-v1.json' },
  'GET /apis/monitoring.coreos.com/v1': { status: 200, fixture: 'discovery/apis-monitoring.coreos.com-v1.json' },
};

export interface FakeApiServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** `METHOD /path` (no query) → reply; a function sees the request (e.g. to answer dry-runs differently). */
  readonly routes: Map<string, Reply | ((r: RecordedRequest) => Reply)>;
  /** Requests no route answered. */
  readonly unmatched: RecordedRequest[];
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startFakeApiServer(routes: Record<string, Reply | ((r: RecordedRequest) => Reply)> = {}): Promise<FakeApiServer> {
  const table = new Map(Object.entries({ ...DISCOVERY, ...routes }));
  const requests: RecordedRequest[] = [];
  const unmatched: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        contentType: req.headers['content-type'],
        body: await readBody(req),
      };
      requests.push(rec);
      const route = table.get(`${rec.method} ${rec.path}`);
      const reply: Reply = typeof route === 'function' ? route(rec) : (route ?? { status: 404, fixture: 'status-404-page.json' });
      if (!route) unmatched.push(rec);
      const body = reply.fixture ? readFileSync(new URL(reply.fixture, FIXTURES), 'utf8') : JSON.stringify(reply.json ?? {});
      res.writeHead(reply.status, { 'content-type': 'application/json', 'audit-id': `playback-${requests.length}` });
      res.end(body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    routes: table,
    unmatched,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'playback', server: url, skipTLSVerify: true }],
        users: [{ name: 'tester', token: 'playback-token' }],
        contexts: [{ name: 'playback', cluster: 'playback', user: 'tester', namespace: 'default' }],
        currentContext: 'playback',
      });
      return kc;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
