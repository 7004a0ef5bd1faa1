import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { PloydError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import type { Actor, Ployd, TokenPrincipal, Via } from '../sdk/index.ts';
import { toErrorResponse, validationError } from './error-body.ts';
import { expectedVersion, etagOf, resourceVersionFromIfMatch } from './etag.ts';
import { createHttpMetrics, type HttpMetrics } from './http-metrics.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { formatPermission } from './rbac-objects.ts';
import { DEFAULT_BODY_LIMIT, parseStrict, queryObject, readJsonBody } from './request-input.ts';
import { honoPath, type AnyRoute, type Permission } from './route-table.ts';
import { ROUTES } from './routes/index.ts';
import { handleWebhook, type WebhookOptions } from './webhook.ts';

export const API_PREFIX = '/api/v1';

export interface ServerAppOptions {
  readonly ployd: Ployd;
  readonly logger: Logger;
  /** Request-body limit in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Readiness probe; default: one cheap read through the SDK (proves the store answers). */
  readonly ready?: () => Promise<void>;
  /** Metrics registry to add to; default: a fresh one per app. */
  readonly metrics?: HttpMetrics;
  /** Extra routes (e.g. the controller's), mounted and documented like the built-in ones. */
  readonly routes?: readonly AnyRoute[];
  /**
   * `POST /api/v1/webhook`, authenticated by a shared secret instead of a bearer token. Without
   * `onPush` (no git source in this process) it answers 404 `E_NOT_FOUND` saying so.
   */
  readonly webhook?: WebhookOptions;
}

interface Vars {
  requestId: string;
  principal: TokenPrincipal;
  routeTemplate: string;
}

type Ctx = Context<{ Variables: Vars }>;

/** `X-Ployd-Client: cli` marks requests from the ployd CLI; nothing else may be claimed over HTTP. */
function viaOf(c: Ctx): Via {
  return c.req.header('x-ployd-client')?.trim().toLowerCase() === 'cli' ? 'cli' : 'api';
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return m?.[1];
}

/** Takes `metadata.resourceVersion` out of a manifest body: ObjectMeta has no such field, HTTP does. */
function takeMetadataVersion(raw: unknown): { raw: unknown; version: unknown } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { raw, version: undefined };
  const metadata = (raw as Record<string, unknown>).metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || !('resourceVersion' in metadata)) {
    return { raw, version: undefined };
  }
  const { resourceVersion, ...rest } = metadata as Record<string, unknown>;
  return { raw: { ...(raw as Record<string, unknown>), metadata: rest }, version: resourceVersion };
}

function toVersion(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  if (!/^[1-9][0-9]{0,15}$/.test(s)) throw validationError([{ path, message: 'must be a positive integer resourceVersion' }]);
  return s;
}

/**
 * The control-plane HTTP API as a Hono app: every route of the table mounted with strict input
 * validation, bearer-token authentication, Casbin authorization and audit through the SDK.
 * Testable without a socket through `app.request()`; `startServer` binds it to a port.
 *
 * @example
 * const app = createServerApp({ ployd, logger: rootLogger() });
 * const res = await app.request('/api/v1/models', { headers: { authorization: `Bearer ${token}` } });
 */
export function createServerApp(options: ServerAppOptions): Hono<{ Variables: Vars }> {
  const { ployd } = options;
  const log = options.logger.child({ component: 'server' });
  const accessLog = options.logger.child({ component: 'access' });
  const metrics = options.metrics ?? createHttpMetrics();
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const routes: readonly AnyRoute[] = [...ROUTES, ...(options.routes ?? [])];
  const ready = options.ready ?? (async () => void (await ployd.audit.list({ limit: 1 })));
  let openapi: unknown;

  const app = new Hono<{ Variables: Vars }>();

  const fail = (c: Ctx, err: unknown): Response => {
    const { status, body, internal } = toErrorResponse(err);
    if (internal) log.error({ err, requestId: c.get('requestId'), route: c.get('routeTemplate') }, 'request failed');
    if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="ployd"');
    return c.json(body, status as 400);
  };

  app.onError((err, c) => fail(c, err));

  // Access log and metrics: one structured line per request. Only the method, route template and
  // outcome; never headers, bodies or the raw path (someone will paste a key into a URL one day).
  app.use('*', async (c, next) => {
    const started = process.hrtime.bigint();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    c.set('routeTemplate', 'unmatched');
    await next();
    c.header('X-Request-Id', requestId);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = c.get('routeTemplate');
    metrics.observe(c.req.method, route, c.res.status, seconds);
    const principal = c.get('principal') as TokenPrincipal | undefined;
    accessLog.info(
      {
        requestId,
        method: c.req.method,
        route,
        status: c.res.status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        ...(principal ? { subject: principal.subject } : {}),
      },
      'request',
    );
  });

  app.get('/healthz', (c) => {
    c.set('routeTemplate', '/healthz');
    return c.json({ status: 'ok' });
  });

  app.get('/readyz', async (c) => {
    c.set('routeTemplate', '/readyz');
    try {
      await ready();
      return c.json({ status: 'ok', checks: { store: 'ok' } });
    } catch (err) {
      log.warn({ err }, 'readiness check failed');
      return c.json({ status: 'unavailable', checks: { store: 'unreachable' } }, 503);
    }
  });

  // Authentication for everything else. Tokens are verified by the SDK (hashed, constant time);
  // the raw token never leaves this function.
  const authenticate = async (c: { req: { header(name: string): string | undefined }; set(key: 'principal', value: TokenPrincipal): void }): Promise<TokenPrincipal> => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) throw new PloydError('E_UNAUTHENTICATED', 'missing bearer token (Authorization: Bearer <token>)');
    const principal = await ployd.security.verifyToken(token);
    if (!principal) throw new PloydError('E_UNAUTHENTICATED', 'invalid, expired or revoked token');
    c.set('principal', principal);
    return principal;
  };

  const authorize = async (principal: TokenPrincipal, p: Permission): Promise<void> => {
    if (!(await ployd.security.enforce(principal, p.resource, p.action, p.object))) {
      throw new PloydError('E_FORBIDDEN', `permission denied: ${formatPermission(p)}`, {
        resource: p.resource,
        action: p.action,
        object: p.object,
        subject: principal.subject,
      });
    }
  };

  app.use('/metrics', async (c, next) => {
    c.set('routeTemplate', '/metrics');
    await authorize(await authenticate(c), { resource: 'metrics', action: 'get', object: 'server' });
    await next();
  });
  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType });
  });

  // Before the bearer-token middleware: a Git host signs its push with the shared secret, it has
  // no token. Registered first, it answers before authentication would run.
  app.all(`${API_PREFIX}/webhook`, async (c) => {
    c.set('routeTemplate', `${API_PREFIX}/webhook`);
    return handleWebhook(c.req.raw, options.webhook ?? {});
  });

  app.use(`${API_PREFIX}/*`, async (c, next) => {
    await authenticate(c);
    await next();
  });

  app.get(`${API_PREFIX}/openapi.json`, (c) => {
    c.set('routeTemplate', `${API_PREFIX}/openapi.json`);
    openapi ??= buildOpenApiDocument(routes);
    return c.json(openapi as object);
  });

  for (const spec of routes) {
    const template = `${API_PREFIX}${spec.path}`;
    app.on(spec.method.toUpperCase(), honoPath(template), async (c) => {
      c.set('routeTemplate', template);
      const principal = c.get('principal');
      const params: unknown = spec.params ? parseStrict(spec.params, c.req.param()) : {};
      const query: unknown = spec.query ? parseStrict(spec.query, queryObject(new URL(c.req.url))) : {};
      if (!spec.query && new URL(c.req.url).searchParams.size > 0) {
        const names = [...new Set(new URL(c.req.url).searchParams.keys())];
        throw validationError(names.map((n) => ({ path: n, message: 'unknown query parameter' })));
      }
      let body: unknown;
      let rawBody: unknown;
      let bodyVersion: string | undefined;
      if (spec.body) {
        const read = await readJsonBody(c.req.raw, bodyLimit);
        if (read === undefined) {
          if (spec.bodyRequired !== false) throw validationError([{ path: '', message: 'a JSON body is required' }]);
        } else {
          const taken = takeMetadataVersion(read);
          rawBody = taken.raw;
          bodyVersion = toVersion(taken.version, 'metadata.resourceVersion');
          body = parseStrict(spec.body, rawBody);
          if (body !== null && typeof body === 'object' && 'resourceVersion' in body) {
            bodyVersion ??= toVersion((body as { resourceVersion?: unknown }).resourceVersion, 'resourceVersion');
            const { resourceVersion: _drop, ...rest } = rawBody as Record<string, unknown>;
            rawBody = rest;
          }
        }
      } else if (c.req.raw.body !== null && (await readJsonBody(c.req.raw, bodyLimit)) !== undefined) {
        throw validationError([{ path: '', message: `${spec.method.toUpperCase()} ${spec.path} takes no body` }]);
      }
      if (!spec.conditional && bodyVersion !== undefined) {
        throw validationError([{ path: 'resourceVersion', message: 'not accepted here: this operation is not conditional' }]);
      }
      const ifMatch = spec.conditional ? resourceVersionFromIfMatch(c.req.header('if-match')) : undefined;
      const expected = spec.conditional ? expectedVersion(ifMatch, bodyVersion) : undefined;

      const permission = spec.permission({ params, query, body });
      if (permission !== 'authenticated') await authorize(principal, permission);
      const actor: Actor = { subject: principal.subject, groups: principal.groups, via: viaOf(c) };
      const result = await spec.handle({
        params,
        query,
        body,
        rawBody,
        expectedVersion: expected === undefined ? undefined : Number(expected),
        principal,
        actor,
        ployd,
        authorize: (p) => authorize(principal, p),
        can: (p) => ployd.security.enforce(principal, p.resource, p.action, p.object),
      });
      if (result.etag !== undefined) c.header('ETag', etagOf(result.etag));
      const status = result.status ?? spec.response.status;
      if (status === 204 || result.body === undefined) return c.body(null, 204);
      return c.json(result.body as object, status as 200);
    });
  }

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = routes
      .filter((r) => new RegExp(`^${API_PREFIX}${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
      .map((r) => r.method.toUpperCase());
    if (allowed.length > 0) {
      c.header('Allow', [...new Set(allowed)].join(', '));
      return fail(c, new PloydError('E_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed here; use ${[...new Set(allowed)].join(' or ')}`));
    }
    if (path.startsWith(`${API_PREFIX}/applications`) && !routes.some((r) => r.path.startsWith('/applications'))) {
      // `ployd app …` against a store-only server: say what is missing rather than "no endpoint".
      return fail(c, new PloydError('E_NOT_FOUND', 'this server runs no GitOps controller, so it has no applications: start it with --repo (or use ployd up)'));
    }
    return fail(c, new PloydError('E_NOT_FOUND', `no endpoint ${c.req.method} ${path}`));
  });

  return app;
}
