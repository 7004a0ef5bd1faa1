import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { rootLogger, type Logger } from '../log/index.ts';
import { Authenticator } from './auth/index.ts';
import { BalancerState, type BackendState } from './balancer/index.ts';
import { BreakerState } from './breaker.ts';
import { LoadScraper } from './load-scraper.ts';
import { GatewayMetrics } from './metrics.ts';
import { DEFAULT_LIMITS, type GatewayLimits, type GatewayOptionsBase } from './options.ts';
import { UpstreamPools } from './proxy.ts';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './ratelimit/index.ts';
import { RollingWindows, type MetricsProvider } from './rolling-window.ts';
import { RouteTableHolder, type RouteTableSnapshot } from './route-table.ts';
import type { Http1Server } from './http1/index.ts';
import { createGatewayServer } from './server.ts';
import type { ApiKeyVerifier, RouteTableInput, RouteTableSink } from './types.ts';

export interface GatewayOptions extends GatewayOptionsBase {
  /** Verifies API keys (the SDK's Security component); without it, only JWT or anonymous routes work. */
  readonly verifier?: ApiKeyVerifier;
  /** A Redis connection for rate limits shared by several gateways; in memory without it. */
  readonly redis?: Redis;
  readonly logger?: Logger;
  /** Routes, deployments and endpoints to start with. */
  readonly initial?: RouteTableInput;
}

/** The AI gateway data plane. Also a RouteTableSink: publish a new table at any time, atomically. */
export interface Gateway extends RouteTableSink {
  /** Compiles and swaps the route table; throws (and keeps the current table) when the input is invalid. */
  publish(input: RouteTableInput): void;
  listen(port?: number, host?: string): Promise<{ port: number; host: string }>;
  close(): Promise<void>;
  /** Per-backend rolling windows for the canary controller. */
  readonly metrics: MetricsProvider;
  readonly snapshot: RouteTableSnapshot;
  /** The gateway's HTTP/1.1 server (`listen` starts it). */
  readonly server: Http1Server;
}

/**
 * Creates a gateway.
 *
 * @example
 * const gw = createGateway({ verifier: security.apiKeyVerifier(), logger });
 * gw.publish({ routes, deployments, endpoints: runtime.endpoints() });
 * await gw.listen(8080, '0.0.0.0');
 */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const log = (options.logger ?? rootLogger()).child({ component: 'gateway' });
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const holder = new RouteTableHolder();
  const state = new BalancerState();
  const pools = new UpstreamPools();
  const metrics = new GatewayMetrics();
  const windows = new RollingWindows(options.rollingWindowSeconds ?? 300);
  const limiter: RateLimiter = options.redis ? new RedisRateLimiter(options.redis, log) : new MemoryRateLimiter();
  const auth = new Authenticator(options.verifier, options.apiKeyCacheTtlMs !== undefined ? { cacheTtlMs: options.apiKeyCacheTtlMs } : {});
  const scraper = new LoadScraper(state, pools, log, options.scrapeIntervalMs ?? 1000);

  // Breaker transitions are exported as a gauge; backend ids are `ns/route/backend`.
  state.onBackendCreated = (id: string, s: BackendState) => {
    const cut = id.lastIndexOf('/');
    const gauge = metrics.breaker.labels(id.slice(0, cut), id.slice(cut + 1));
    gauge.set(BreakerState.closed);
    s.breaker.onChange = (st) => {
      gauge.set(st);
      log.warn({ backend: id, state: st === BreakerState.open ? 'open' : st === BreakerState.halfOpen ? 'half-open' : 'closed' }, 'gateway: circuit breaker changed state');
    };
  };

  const server = createGatewayServer({
    pipeline: {
      state,
      pools,
      limiter,
      auth,
      metrics,
      windows,
      log,
      accessLogSampleRate: options.accessLogSampleRate ?? 1,
      defaultMaxTokens: options.defaultMaxTokens ?? 256,
      maxUpstreamBodyBytes: limits.maxUpstreamBodyBytes,
      routeInflight: new Map(),
    },
    snapshot: () => holder.current,
    limits,
    metrics,
    log,
  });

  const publish = (input: RouteTableInput): void => {
    const prev = holder.current;
    const next = holder.publish(input, (n) => auth.prepare(n));
    state.prune(next);
    scraper.update(next);
    pools.retain(new Set(next.replicas.map((r) => r.origin)));
    if (next.routes.length !== prev.routes.length || next.replicas.length !== prev.replicas.length) {
      log.info({ version: next.version, routes: next.routes.length, replicas: next.replicas.length }, 'gateway: route table published');
    }
  };
  if (options.initial) publish(options.initial);

  return {
    publish,
    get snapshot() {
      return holder.current;
    },
    metrics: windows,
    server,
    listen(port = 8080, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host, backlog: limits.listenBacklog }, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          log.info({ port: a.port, host: a.address }, 'gateway: listening');
          resolve({ port: a.port, host: a.address });
        });
      });
    },
    async close() {
      scraper.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Streams still open after a grace period are cut: close must finish.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      await pools.close();
      await limiter.close();
    },
  };
}
