import type { Logger } from '../log/index.ts';
import { Http1Server, type Http1Request, type Http1Response } from './http1/index.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { GatewayLimits } from './options.ts';
import { Exchange, type PipelineDeps, requestIdOf, responseClosed, sendError } from './pipeline.ts';
import type { RouteTableSnapshot } from './route-table.ts';
import { admissibleRoutes } from './router.ts';

export interface ServerDeps {
  readonly pipeline: PipelineDeps;
  readonly snapshot: () => RouteTableSnapshot;
  readonly limits: GatewayLimits;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
}

const JSON_TYPE = 'application/json';

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const mime = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mime === JSON_TYPE || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/**
 * The gateway's HTTP listener: limits against hostile clients (header size and time, body size and
 * time), OpenAI-style errors, and the per-request pipeline. The route table is read once per request.
 */
export function createGatewayServer(deps: ServerDeps): Http1Server {
  const { limits, log } = deps;
  let inflight = 0;
  const server = new Http1Server(limits, {
    request(req, res) {
      const startedAt = performance.now();
      inflight++;
      try {
        handle(req, res, startedAt);
      } catch (err) {
        log.error({ err }, 'gateway: unexpected error');
        sendError(res, 'E_INTERNAL', 'internal gateway error');
      }
    },
    // Once per response: counts in-flight requests and tells the request's exchange the client side
    // is done (a disconnect cancels the upstream request).
    responseClosed(res) {
      inflight--;
      responseClosed(res);
    },
  });

  function handle(req: Http1Request, res: Http1Response, startedAt: number): void {
    const url = req.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method;

    if (path === '/healthz' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      deps.metrics.exposition().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        },
        (err: unknown) => {
          log.error({ err }, 'gateway: metrics exposition failed');
          sendError(res, 'E_INTERNAL', 'metrics unavailable');
        },
      );
      return;
    }

    const snapshot = deps.snapshot();
    const entry = snapshot.byPath.get(path);
    if (!entry) {
      sendError(res, 'E_ROUTE_NOT_FOUND', `no route for ${method} ${path}`);
      return;
    }
    if (entry.kind === 'models') {
      if (method !== 'GET') {
        sendError(res, 'E_METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, { allow: 'GET' });
        return;
      }
      void listModels(req, res, entry.routes);
      return;
    }
    const routes = admissibleRoutes(entry.routes, { method, host: req.headers.host });
    if (routes.length === 0) {
      if (method === 'OPTIONS') {
        res.writeHead(204, { allow: 'POST, OPTIONS' });
        res.end();
        return;
      }
      const allowed = new Set(entry.routes.flatMap((r) => [...r.methods]));
      sendError(res, allowed.size > 0 && !entry.routes.some((r) => r.hosts && !r.hosts(req.headers.host)) ? 'E_METHOD_NOT_ALLOWED' : 'E_ROUTE_NOT_FOUND', `${method} ${path} matches no route`, { allow: [...allowed].join(', ') });
      return;
    }
    if (method === 'OPTIONS') {
      res.writeHead(204, { allow: 'POST, OPTIONS', 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type, x-api-key' });
      res.end();
      return;
    }
    if (inflight > limits.maxInFlight) {
      sendError(res, 'E_OVERLOADED', 'gateway is at its in-flight limit', { 'retry-after': '1', connection: 'close' });
      return;
    }
    if (!isJson(req.headers['content-type'])) {
      sendError(res, 'E_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${JSON_TYPE}, got ${JSON.stringify(req.headers['content-type'] ?? '')}`, { connection: 'close' });
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
      // Do not read a body we will refuse; close so the rest of it is not parsed as a next request.
      sendError(res, 'E_BODY_TOO_LARGE', `request body of ${declared} bytes exceeds ${limits.maxBodyBytes}`, { connection: 'close' });
      return;
    }
    req.readBody((err, raw) => {
      if (err === 'too_large') {
        sendError(res, 'E_BODY_TOO_LARGE', `request body exceeds ${limits.maxBodyBytes} bytes`, { connection: 'close' });
        return;
      }
      if (err || !raw) return; // client went away mid-body
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        sendError(res, 'E_BAD_REQUEST', `request body is not valid JSON: ${(e as Error).message}`);
        return;
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        sendError(res, 'E_BAD_REQUEST', 'request body must be a JSON object');
        return;
      }
      const model = (body as { model?: unknown }).model;
      if (typeof model !== 'string' || model === '') {
        sendError(res, 'E_BAD_REQUEST', 'you must provide a model parameter', {}, 'model');
        return;
      }
      const stream = (body as { stream?: unknown }).stream;
      if (stream !== undefined && typeof stream !== 'boolean') {
        sendError(res, 'E_BAD_REQUEST', 'stream must be a boolean', {}, 'stream');
        return;
      }
      const exchange = new Exchange(deps.pipeline, {
        req,
        res,
        startedAt,
        requestId: requestIdOf(req.headers),
        routes,
        upstreamPath: entry.upstreamPath,
        body: body as Record<string, unknown>,
        rawBody: raw,
      });
      // Errors on the request path are the exchange's own to answer (500, or a cut stream).
      exchange.run();
    });
  }

  async function listModels(req: Http1Request, res: Http1Response, routes: RouteTableSnapshot['routes']): Promise<void> {
    const guarded = routes.find((r) => r.auth.required);
    if (guarded) {
      try {
        await deps.pipeline.auth.authenticate(guarded, req.headers, Date.now());
      } catch (err) {
        const code = (err as { code?: string }).code === 'E_TOKEN_EXPIRED' ? 'E_TOKEN_EXPIRED' : (err as { code?: string }).code === 'E_FORBIDDEN' ? 'E_FORBIDDEN' : 'E_UNAUTHENTICATED';
        sendError(res, code, (err as Error).message, { 'www-authenticate': 'Bearer' });
        return;
      }
    }
    const names = new Set<string>();
    for (const route of routes) {
      for (const rule of route.rules) {
        const exact = rule.matches.map((m) => m.exactModel).filter((x): x is string => x !== undefined);
        if (exact.length > 0) for (const m of exact) names.add(m);
        else for (const b of rule.primary) names.add(b.name);
      }
    }
    const created = Math.floor(deps.snapshot().createdAt / 1000);
    const body = Buffer.from(JSON.stringify({ object: 'list', data: [...names].sort().map((id) => ({ id, object: 'model', created, owned_by: 'ployd' })) }));
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': body.length });
    res.end(body);
  }

  return server;
}
