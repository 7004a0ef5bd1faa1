import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import { ERROR_CATALOGUE, type ErrorCode, isPloydError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import type { Authenticator, Principal } from './auth/index.ts';
import {
  type BalancerState,
  nextFallback,
  pickBackend,
  pickReplica,
  recordLatency,
  recordReplicaFailure,
  hasOtherHealthyReplica,
  recordReplicaSuccess,
  type PickContext,
} from './balancer/index.ts';
import type { Http1Request, Http1Response } from './http1/index.ts';
import type { GatewayMetrics } from './metrics.ts';
import { openAiErrorBody, sseErrorEvent } from './openai-error.ts';
import { rawHeader, UpstreamCall, type AttemptListener, type AttemptOutcome, type StreamEvents, type UpstreamPools } from './proxy.ts';
import { formatReset, type BucketCheck, type LimitDecision, type RateLimiter } from './ratelimit/index.ts';
import { backoffDelay, countsAsFailure, errorFailure, parseRetryAfter, statusFailure, type FailureKind } from './retry.ts';
import type { RollingWindows } from './rolling-window.ts';
import type { CompiledBackend, CompiledRoute, CompiledRule, LimitSpec, Replica } from './route-table.ts';
import { selectRule } from './router.ts';
import { estimateTokens, extractUsage } from './usage.ts';

/** Everything the per-request pipeline needs; one per gateway, shared by all requests. */
export interface PipelineDeps {
  readonly state: BalancerState;
  readonly pools: UpstreamPools;
  readonly limiter: RateLimiter;
  readonly auth: Authenticator;
  readonly metrics: GatewayMetrics;
  readonly windows: RollingWindows;
  readonly log: Logger;
  readonly accessLogSampleRate: number;
  readonly defaultMaxTokens: number;
  readonly maxUpstreamBodyBytes: number;
  /** In-flight requests per route id (for maxQueue). */
  readonly routeInflight: Map<string, number>;
}

/** The parsed, validated request the pipeline routes. */
export interface ParsedRequest {
  readonly req: Http1Request;
  readonly res: Http1Response;
  readonly startedAt: number;
  readonly requestId: string;
  readonly routes: readonly CompiledRoute[];
  readonly upstreamPath: string;
  readonly body: Record<string, unknown>;
  readonly rawBody: Buffer;
}

const USAGE_KEY = Buffer.from('"usage"');

/** Hop-by-hop and framing headers never copied from an upstream answer. */
const SKIP_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'server', 'proxy-connection', 'upgrade', 'te', 'trailer']);

const EXCHANGE = Symbol('ployd.exchange');
type ResponseWithExchange = Http1Response & { [EXCHANGE]?: Exchange };

/**
 * Tells the exchange serving `res` (if any) that the response closed. The server calls it from its
 * one shared 'close' listener, so a request carries one listener and no per-request closure.
 */
export function responseClosed(res: Http1Response): void {
  (res as ResponseWithExchange)[EXCHANGE]?.clientClosed();
}

function onDeadline(exchange: Exchange): void {
  exchange.deadline();
}

function onWake(exchange: Exchange): void {
  exchange.wake();
}

type RuleChoice = NonNullable<ReturnType<typeof selectRule>>;

function pickContext(route: CompiledRoute, affinityKey: string | undefined, tried: ReadonlySet<string>): PickContext {
  return { now: Date.now(), breaker: route.breaker, affinityKey, tried };
}

const NONE: ReadonlySet<string> = new Set();

let sequence = 0;
const ID_PREFIX = randomUUID().slice(0, 18);

/** Writes an OpenAI-style error answer, unless the client is gone or headers already went. */
export function sendError(res: Http1Response, code: ErrorCode, message: string, extra: OutgoingHttpHeaders = {}, param: string | null = null): void {
  if (res.headersSent || res.destroyed) return;
  const body = openAiErrorBody(code, message, param);
  res.writeHead(ERROR_CATALOGUE[code].http, { 'content-type': 'application/json', 'content-length': body.length, ...extra });
  res.end(body);
}

function ratelimitHeaders(d: LimitDecision | undefined, out: OutgoingHttpHeaders): void {
  if (!d) return;
  if (d.requests) {
    out['x-ratelimit-limit-requests'] = d.requests.limit;
    out['x-ratelimit-remaining-requests'] = d.requests.remaining;
    out['x-ratelimit-reset-requests'] = formatReset(d.requests.resetMs);
  }
  if (d.tokens) {
    out['x-ratelimit-limit-tokens'] = d.tokens.limit;
    out['x-ratelimit-remaining-tokens'] = d.tokens.remaining;
    out['x-ratelimit-reset-tokens'] = formatReset(d.tokens.resetMs);
  }
}

function ratelimitPairs(d: LimitDecision | undefined, out: OutgoingHttpHeader[]): void {
  if (!d) return;
  if (d.requests) out.push('x-ratelimit-limit-requests', d.requests.limit, 'x-ratelimit-remaining-requests', d.requests.remaining, 'x-ratelimit-reset-requests', formatReset(d.requests.resetMs));
  if (d.tokens) out.push('x-ratelimit-limit-tokens', d.tokens.limit, 'x-ratelimit-remaining-tokens', d.tokens.remaining, 'x-ratelimit-reset-tokens', formatReset(d.tokens.resetMs));
}

function headerString(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function clientIp(req: Http1Request): string {
  return req.remoteAddress;
}

function pushLimit(checks: BucketCheck[], key: string, spec: LimitSpec, reserveTokens: number): void {
  if (spec.rpm !== undefined) checks.push({ key: `req:${key}`, kind: 'requests', capacity: spec.burst ?? spec.rpm, ratePerMs: spec.rpm / 60_000, cost: 1 });
  if (spec.tpm !== undefined) checks.push({ key: `tok:${key}`, kind: 'tokens', capacity: spec.tpm, ratePerMs: spec.tpm / 60_000, cost: reserveTokens });
}

function limitChecks(route: CompiledRoute, principal: Principal | undefined, ip: string, reserveTokens: number): BucketCheck[] {
  const checks: BucketCheck[] = [];
  const rl = route.rateLimit;
  if (rl?.global) pushLimit(checks, `${route.id}:global`, rl.global, reserveTokens);
  // Per-key limits of the store override the route's per-client figures for that key.
  const pc = rl?.perClient;
  const rpm = principal?.rpm ?? pc?.rpm;
  const tpm = principal?.tpm ?? pc?.tpm;
  if (rpm !== undefined || tpm !== undefined) {
    const mode = pc?.key ?? 'auto';
    let client: string;
    if (mode === 'ip' || !principal) client = `ip:${ip}`;
    else if (mode === 'apiKey' && principal.method !== 'api_key') client = `ip:${ip}`;
    else if (mode === 'subject' && principal.method !== 'jwt') client = `ip:${ip}`;
    else client = `${principal.method}:${principal.id}`;
    pushLimit(checks, `${route.id}:${client}`, { rpm, burst: principal?.rpm !== undefined ? undefined : pc?.burst, tpm }, reserveTokens);
  }
  return checks;
}

/**
 * Serves one proxied request: pick rule, authenticate, limit, then attempts with retries and
 * fallback until something can be committed to the client.
 */
export class Exchange implements AttemptListener, StreamEvents {
  readonly #deps: PipelineDeps;
  readonly #p: ParsedRequest;
  #route: CompiledRoute | undefined;
  #principal: Principal | undefined;
  #decision: LimitDecision | undefined;
  #tokenChecks: BucketCheck[] = [];
  #reserved = 0;
  #call: UpstreamCall | undefined;
  #clientGone = false;
  /** The current attempt's outcome was handled (a call settles once; this guards the exchange too). */
  #judged = false;
  /** Whether the request counts in its route's in-flight figure (see #release). */
  #holding = false;
  /** Whether the current attempt counts in its replica's and backend's in-flight figures. */
  #slotsHeld = false;
  #rule: CompiledRule | undefined;
  #deadlineAt = 0;
  #affinityKey: string | undefined;
  #backend: CompiledBackend | undefined;
  #replica: Replica | undefined;
  #onBackend = 0;
  /** Made on first failure: most requests succeed on the first try. */
  #tried: Set<string> | undefined;
  #avoid: Set<string> | undefined;
  #last: AttemptOutcome | undefined;
  #lastKind: FailureKind | undefined;
  #lastBackend: CompiledBackend | undefined;
  #perTryTimer: NodeJS.Timeout | undefined;
  #sleepTimer: NodeJS.Timeout | undefined;
  #sleepStart = 0;
  #upstreamMs = 0;
  #errorCode: string | undefined;
  #ttftMs: number | undefined;
  #committedAt = 0;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #timedOut = false;
  #stream: boolean;
  #attempts = 0;
  /** Bodies with the model renamed for a backend; made on first need (most backends keep the name). */
  #bodyFor: Map<string, Buffer> | undefined;
  /** The tier header as the credential sets it, when it differs from what the client sent. */
  #tierOverride: { readonly name: string; readonly value: string | undefined } | undefined;

  constructor(deps: PipelineDeps, parsed: ParsedRequest) {
    this.#deps = deps;
    this.#p = parsed;
    this.#stream = parsed.body.stream === true;
  }

  /**
   * Serves the request. Straight-line code and callbacks, not async functions: each `await` costs a
   * promise and a microtask, and the common request (cached key, memory limiter, first attempt
   * succeeds) needs none. Only a store/JWKS lookup, the Redis limiter and retry back-off wait.
   */
  run(): void {
    // The server's 'close' listener reaches the exchange through this (see responseClosed).
    (this.#p.res as ResponseWithExchange)[EXCHANGE] = this;
    try {
      this.#start();
    } catch (err) {
      this.#crash(err);
    }
  }

  #start(): void {
    const req = this.#p.req;
    const choice = selectRule(this.#p.routes, this.#routeRequest(req.headers));
    if (!choice) {
      // Authenticate before answering "no such model": which models exist is not for anonymous eyes.
      const guarded = this.#p.routes.find((r) => r.auth.required);
      const notFound = (): void => this.#fail('E_MODEL_NOT_FOUND', `no route serves model ${JSON.stringify(this.#p.body.model ?? null)}`, {}, 'model');
      if (!guarded) return notFound();
      let p: ReturnType<Authenticator['authenticate']>;
      try {
        p = this.#deps.auth.authenticate(guarded, req.headers, Date.now(), req.connectionMemo);
      } catch (err) {
        return this.#failWith(err);
      }
      if (p instanceof Promise) p.then(notFound, (err: unknown) => this.#failWith(err)).catch((err: unknown) => this.#crash(err));
      else notFound();
      return;
    }
    this.#route = choice.route;
    let p: ReturnType<Authenticator['authenticate']>;
    try {
      p = this.#deps.auth.authenticate(choice.route, req.headers, Date.now(), req.connectionMemo);
    } catch (err) {
      return this.#failWith(err);
    }
    // A cached API key answers synchronously: only the store or a JWKS is waited for.
    if (p instanceof Promise) {
      p.then(
        (principal) => this.#authenticated(choice, principal),
        (err: unknown) => this.#failWith(err),
      ).catch((err: unknown) => this.#crash(err));
    } else this.#authenticated(choice, p);
  }

  #authenticated(first: RuleChoice, principal: Principal | undefined): void {
    let choice = first;
    const req = this.#p.req;
    this.#principal = principal;
    // The tier an authenticated client belongs to comes from its credential, never from what it sends.
    if (principal) {
      const tierHeader = choice.route.auth.tierHeader;
      const tier = principal.tiers[0];
      if (tier !== headerString(req.headers, tierHeader)) {
        this.#tierOverride = { name: tierHeader, value: tier };
        const again = selectRule(this.#p.routes, this.#routeRequest({ ...req.headers, [tierHeader]: tier }));
        if (!again) return this.#fail('E_MODEL_NOT_FOUND', `no route serves model ${JSON.stringify(this.#p.body.model ?? null)} for this tier`, {}, 'model');
        if (again.route !== choice.route && principal.routes && !principal.routes.includes(again.route.name)) {
          return this.#fail('E_FORBIDDEN', `credential is not allowed on route ${again.route.name}`);
        }
        choice = again;
      }
    }
    const route = (this.#route = choice.route);
    this.#rule = choice.rule;

    const inflight = this.#deps.routeInflight.get(route.id) ?? 0;
    if (route.routing.maxQueue !== undefined && inflight >= route.routing.maxQueue) {
      return this.#fail('E_OVERLOADED', `route ${route.name} has ${inflight} requests queued (maxQueue ${route.routing.maxQueue})`, { 'retry-after': '1' });
    }

    if (route.rateLimit || principal?.rpm !== undefined || principal?.tpm !== undefined) {
      const reserve = estimateTokens(this.#p.rawBody.length, this.#p.body, this.#deps.defaultMaxTokens);
      const checks = limitChecks(route, principal, clientIp(req), reserve);
      if (checks.length > 0) {
        const pending = this.#deps.limiter.acquire(checks);
        // The memory limiter decides synchronously; only Redis is waited for.
        if (pending instanceof Promise) pending.then((d) => this.#limited(route, checks, reserve, d)).catch((err: unknown) => this.#crash(err));
        else this.#limited(route, checks, reserve, pending);
        return;
      }
    }
    this.#begin(route);
  }

  #limited(route: CompiledRoute, checks: BucketCheck[], reserve: number, decision: LimitDecision): void {
    this.#decision = decision;
    if (!decision.allowed) {
      this.#deps.metrics.rejections.labels(route.id, decision.rejectedBy ?? 'requests').inc();
      const headers: OutgoingHttpHeaders = { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) };
      ratelimitHeaders(decision, headers);
      return this.#fail('E_RATE_LIMITED', `rate limit exceeded (${decision.rejectedBy ?? 'requests'} per minute)`, headers);
    }
    this.#tokenChecks = checks.filter((c) => c.kind === 'tokens');
    this.#reserved = reserve;
    this.#begin(route);
  }

  /** Counts the request in flight on its route and starts the first attempt. */
  #begin(route: CompiledRoute): void {
    this.#deps.routeInflight.set(route.id, (this.#deps.routeInflight.get(route.id) ?? 0) + 1);
    this.#deps.metrics.inflight.labels(route.id).inc();
    this.#holding = true;
    this.#deadlineAt = this.#p.startedAt + route.routing.timeoutMs;
    this.#deadlineTimer = setTimeout(onDeadline, route.routing.timeoutMs, this);
    this.#affinityKey = route.routing.affinityHeader ? headerString(this.#p.req.headers, route.routing.affinityHeader) : undefined;
    this.#backend = pickBackend(this.#rule!, this.#deps.state, pickContext(route, this.#affinityKey, NONE));
    this.#next();
  }

  /** Ends the in-flight count of the request on its route (once): the answer is committed or sent. */
  #release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    const id = this.#route!.id;
    this.#deps.routeInflight.set(id, (this.#deps.routeInflight.get(id) ?? 1) - 1);
    this.#deps.metrics.inflight.labels(id).dec();
  }

  /** A bug on the request path: log it, answer 500 (or cut a started answer), free the request's slot. */
  #crash(err: unknown): void {
    this.#deps.log.error({ err }, 'gateway: request pipeline failed');
    clearTimeout(this.#deadlineTimer);
    const res = this.#p.res;
    if (!res.headersSent) sendError(res, 'E_INTERNAL', 'internal gateway error');
    else res.destroy();
    this.#release();
  }

  #routeRequest(headers: IncomingHttpHeaders): Parameters<typeof selectRule>[1] {
    const model = this.#p.body.model;
    return { method: this.#p.req.method, host: this.#p.req.headers.host, model: typeof model === 'string' ? model : undefined, headers };
  }

  /** The client's connection closed (see onResponseClose). */
  clientClosed(): void {
    if (this.#p.res.writableFinished) return;
    this.#clientGone = true;
    // A client that leaves cancels the upstream request: no GPU time for nobody.
    this.#call?.abort(new Error('client disconnected'));
    this.#cutSleep();
  }

  /** Picks the next backend and replica that can take an attempt and starts it; gives up when none can. */
  #next(): void {
    const route = this.#route!;
    const rule = this.#rule!;
    const { state } = this.#deps;
    let backend = this.#backend;
    while (backend && !this.#clientGone && !this.#timedOut) {
      const bstate = state.backend(backend.id);
      if (route.breaker.enabled && !bstate.breaker.tryAcquire(route.breaker, Date.now())) {
        (this.#tried ??= new Set()).add(backend.id);
        backend = nextFallback(rule, state, pickContext(route, this.#affinityKey, this.#tried));
        this.#onBackend = 0;
        continue;
      }
      const replica = pickReplica(backend, state, Date.now(), { queueAware: rule.strategy === 'least_busy', affinityKey: this.#affinityKey, avoid: this.#avoid ?? NONE });
      if (!replica) {
        bstate.breaker.onNeutral();
        (this.#tried ??= new Set()).add(backend.id);
        backend = nextFallback(rule, state, pickContext(route, this.#affinityKey, this.#tried));
        continue;
      }
      if (this.#attempts > 0) this.#deps.metrics.retries.labels(route.id, backend.name).inc();
      this.#attempts++;
      this.#onBackend++;
      this.#backend = backend;
      this.#attempt(route, backend, replica, this.#deadlineAt - performance.now());
      return;
    }
    this.#backend = backend;
    this.#giveUp();
  }

  /** No attempt left: answers with the last failure (or 499 for a client that left). */
  #giveUp(): void {
    clearTimeout(this.#deadlineTimer);
    if (this.#clientGone) this.#finish(499, 'client_closed', this.#lastBackend);
    else this.#respondFailure(this.#route!, this.#last, this.#lastKind, this.#lastBackend, this.#attempts === 0);
    this.#release();
  }

  /** UpstreamCall's listener: the current attempt can be judged. */
  attemptSettled(call: UpstreamCall, outcome: AttemptOutcome): void {
    if (call !== this.#call || this.#judged) return;
    this.#judged = true;
    try {
      this.#afterAttempt(outcome);
    } catch (err) {
      this.#crash(err);
    }
  }

  #afterAttempt(outcome: AttemptOutcome): void {
    const route = this.#route!;
    const backend = this.#backend!;
    const replica = this.#replica!;
    const { state } = this.#deps;
    if (this.#perTryTimer) clearTimeout(this.#perTryTimer);
    const settledAt = performance.now();
    this.#upstreamMs += settledAt - this.#attemptStart;
    if (outcome.type !== 'stream') this.#releaseSlots();
    // else: a stream holds its replica until it ends (#releaseSlots from the stream's end).
    this.#lastBackend = backend;
    const kind = this.#judge(outcome);
    const bstate = state.backend(backend.id);
    if (kind === undefined) {
      bstate.breaker.onSuccess(route.breaker);
      recordReplicaSuccess(replica, state);
      recordLatency(backend.id, state, (outcome as { headersAt: number }).headersAt - this.#attemptStart);
      this.#commit(route, backend, outcome);
      this.#release();
      return;
    }
    // A failed attempt.
    this.#last = outcome;
    this.#lastKind = kind;
    const now = Date.now();
    this.#deps.metrics.errors.labels(route.id, backend.name, kind).inc();
    this.#deps.windows.record(backend.metricsKey, kind === '429', undefined, undefined);
    if (this.#clientGone) {
      bstate.breaker.onNeutral();
      return this.#giveUp();
    }
    if (countsAsFailure(kind) && !(this.#timedOut && kind === 'timeout')) {
      recordReplicaFailure(backend, replica, state, now, route.breaker.failureThreshold, Math.min(route.breaker.recoveryTimeoutMs, 30_000));
      // The breaker judges the backend as a whole. While another of its replicas is healthy, one
      // replica's failures are left to passive ejection (Envoy's outlier detection), so a single
      // dead replica never cuts off the whole model.
      if (hasOtherHealthyReplica(backend, replica, state, now)) bstate.breaker.onNeutral();
      else bstate.breaker.onFailure(route.breaker, now);
    } else bstate.breaker.onNeutral();
    (this.#avoid ??= new Set()).add(replica.id);
    if (!route.routing.retryOn.has(kind) || this.#timedOut) return this.#giveUp();

    let wait = backoffDelay(this.#onBackend - 1, route.routing.backoffBaseMs, route.routing.backoffMaxMs);
    if (kind === '429' && outcome.type === 'buffered') {
      const retryAfter = parseRetryAfter(rawHeader(outcome.rawHeaders, 'retry-after'), now);
      if (retryAfter !== undefined) {
        state.replica(replica.id).cooldownUntil = now + Math.min(retryAfter, 300_000);
        wait = Math.max(wait, retryAfter);
      }
    }
    const left = this.#deadlineAt - performance.now();
    const sameBackend = this.#onBackend <= route.routing.retries && wait < left && (!route.breaker.enabled || bstate.breaker.available(route.breaker, Date.now()));
    if (!sameBackend) {
      (this.#tried ??= new Set()).add(backend.id);
      const next = nextFallback(this.#rule!, state, pickContext(route, this.#affinityKey, this.#tried));
      if (!next) return this.#giveUp();
      this.#backend = next;
      this.#onBackend = 0;
      return this.#next();
    }
    if (wait > 0) {
      this.#sleepStart = performance.now();
      this.#sleepTimer = setTimeout(onWake, wait, this);
      return;
    }
    this.#next();
  }

  /** The back-off before a retry is over (or cut short by the deadline or a client that left). */
  wake(): void {
    this.#sleepTimer = undefined;
    this.#sleptMs += performance.now() - this.#sleepStart;
    try {
      this.#next();
    } catch (err) {
      this.#crash(err);
    }
  }

  #cutSleep(): void {
    if (this.#sleepTimer === undefined) return;
    clearTimeout(this.#sleepTimer);
    this.wake();
  }

  #attemptStart = 0;

  #bodyForBackend(backend: CompiledBackend): Buffer {
    const model = backend.model;
    if (model === undefined || model === this.#p.body.model) return this.#p.rawBody;
    this.#bodyFor ??= new Map();
    let b = this.#bodyFor.get(model);
    if (!b) {
      b = Buffer.from(JSON.stringify({ ...this.#p.body, model }));
      this.#bodyFor.set(model, b);
    }
    return b;
  }

  #attempt(route: CompiledRoute, backend: CompiledBackend, replica: Replica, remainingMs: number): void {
    const body = this.#bodyForBackend(backend);
    const req = this.#p.req;
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': body.length,
      accept: req.headers.accept ?? (this.#stream ? 'text/event-stream' : 'application/json'),
      'x-request-id': this.#p.requestId,
      'x-forwarded-for': clientIp(req),
    };
    const tp = req.headers.traceparent;
    if (tp) headers.traceparent = tp;
    const tierHeader = route.auth.tierHeader;
    const tier = this.#tierOverride?.name === tierHeader ? this.#tierOverride.value : headerString(req.headers, tierHeader);
    if (tier !== undefined) headers[tierHeader] = tier;
    const perTry = route.routing.perTryTimeoutMs;
    const budget = Math.max(1, Math.floor(remainingMs));
    this.#deps.state.replica(replica.id).inflight++;
    this.#deps.state.backend(backend.id).inflight++;
    this.#replica = replica;
    this.#slotsHeld = true;
    // Everything attemptSettled reads is set before dispatch: an outcome can arrive synchronously
    // (a dispatch that throws, an abort before the connection).
    const call = new UpstreamCall(this.#stream, this.#deps.maxUpstreamBodyBytes, this);
    this.#call = call;
    this.#judged = false;
    this.#attemptStart = performance.now();
    // The per-try timeout bounds the whole attempt until it is judged (whole body, or first chunk of
    // a stream), so a trickling upstream cannot hold the request past it.
    this.#perTryTimer = perTry !== undefined && perTry < budget ? setTimeout(() => call.abort(Object.assign(new Error('per-try timeout'), { name: 'TimeoutError' })), perTry) : undefined;
    call.dispatch(this.#deps.pools, {
      origin: replica.origin,
      path: replica.basePath + this.#p.upstreamPath,
      headers,
      body,
      headersTimeoutMs: perTry !== undefined ? Math.min(perTry, budget) : budget,
      bodyTimeoutMs: perTry !== undefined ? Math.min(perTry, budget) : budget,
    });
  }

  /** Gives back the in-flight slots the current attempt holds on its replica and backend (once). */
  #releaseSlots(): void {
    if (!this.#slotsHeld) return;
    this.#slotsHeld = false;
    this.#deps.state.replica(this.#replica!.id).inflight--;
    this.#deps.state.backend(this.#backend!.id).inflight--;
  }

  /** undefined = success or a final answer (4xx); otherwise why the attempt failed. */
  #judge(o: AttemptOutcome): FailureKind | undefined {
    if (o.type === 'error') return this.#timedOut ? 'timeout' : errorFailure(o.error);
    return statusFailure(o.status);
  }

  /** The route timeout fired (see onDeadline). */
  deadline(): void {
    this.#timedOut = true;
    this.#call?.abort(Object.assign(new Error('route timeout exceeded'), { name: 'TimeoutError' }));
    this.#cutSleep();
  }

  /**
   * The answer's headers as a flat name/value list for writeHead, copied from undici's raw upstream
   * headers (no intermediate object on either side); `contentLength` for buffered answers.
   */
  #responseHeaders(route: CompiledRoute, backend: CompiledBackend, raw: readonly Buffer[], contentLength: number | undefined): OutgoingHttpHeader[] {
    const out: OutgoingHttpHeader[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = raw[i]!.toString('latin1').toLowerCase();
      if (!SKIP_RESPONSE_HEADERS.has(k) && !k.startsWith('x-ratelimit-')) out.push(k, raw[i + 1]!.toString('latin1'));
    }
    if (contentLength !== undefined) out.push('content-length', contentLength);
    out.push('x-request-id', this.#p.requestId, 'x-ployd-route', route.name, 'x-ployd-backend', backend.name);
    ratelimitPairs(this.#decision, out);
    this.#committedAt = performance.now();
    const overhead = this.#committedAt - this.#p.startedAt - this.#upstreamMs - this.#sleptMs;
    out.push('x-ployd-overhead-ms', Math.max(0, overhead).toFixed(3));
    this.#deps.metrics.overhead.labels(route.id).observe(Math.max(0, overhead) / 1000);
    return out;
  }

  #sleptMs = 0;

  #commit(route: CompiledRoute, backend: CompiledBackend, outcome: AttemptOutcome): void {
    const res = this.#p.res;
    if (outcome.type === 'buffered') {
      clearTimeout(this.#deadlineTimer);
      res.writeHead(outcome.status, this.#responseHeaders(route, backend, outcome.rawHeaders, outcome.body.length));
      res.end(outcome.body);
      const usage = outcome.status < 300 ? extractUsage(outcome.body) : undefined;
      this.#settleTokens(usage ? usage.promptTokens + usage.completionTokens : undefined);
      if (usage) {
        const series = this.#deps.metrics.backendSeries(backend, route.id, backend.name);
        series.tokensIn.inc(usage.promptTokens);
        series.tokensOut.inc(usage.completionTokens);
      }
      const total = performance.now() - this.#p.startedAt;
      this.#deps.windows.record(backend.metricsKey, outcome.status < 500, total, undefined);
      this.#finish(outcome.status, undefined, backend);
      return;
    }
    if (outcome.type !== 'stream') return;
    res.writeHead(outcome.status, this.#responseHeaders(route, backend, outcome.rawHeaders, undefined));
    this.#ttftMs = performance.now() - this.#p.startedAt;
    const call = outcome.call;
    this.#call = call;
    this.#streamBackend = backend;
    this.#streamStatus = outcome.status;
    // The exchange itself takes the stream's events (onEnd/onError): no closures per stream.
    call.attach(res, this);
  }

  /** The backend a committed stream comes from, and its status (set by #commit). */
  #streamBackend: CompiledBackend | undefined;
  #streamStatus = 0;
  #streamDone = false;

  onEnd(): void {
    this.#streamEnded(undefined);
  }

  onError(err: Error): void {
    this.#streamEnded(err);
  }

  /**
   * The usage of a stream that ended: in the newest of its last chunks that has one, or split over
   * the last two. Looked for once at the end, not in every chunk as it passed (a scan of each chunk
   * for `"usage"` was ~30 % of the gateway's own per-chunk work). Usage (asked for with
   * stream_options.include_usage, or sent anyway, cumulative or not) is in the final event before
   * `data: [DONE]`, i.e. in the last read or two.
   */
  #streamUsage(call: UpstreamCall): ReturnType<typeof extractUsage> {
    const last = call.lastChunks();
    for (const chunk of last) {
      if (chunk.length > 8 && chunk.includes(USAGE_KEY)) {
        const u = extractUsage(chunk);
        if (u) return u;
      }
    }
    if (last.length >= 2) {
      const joined = Buffer.concat([last[1]!, last[0]!]);
      if (joined.includes(USAGE_KEY)) return extractUsage(joined);
    }
    return undefined;
  }

  #streamEnded(err: Error | undefined): void {
    if (this.#streamDone) return;
    this.#streamDone = true;
    const route = this.#route!;
    const backend = this.#streamBackend!;
    const res = this.#p.res;
    clearTimeout(this.#deadlineTimer);
    this.#releaseSlots();
    const bs = this.#deps.state.backend(backend.id);
    if (err && !this.#clientGone) {
      // After the first byte there is no retry: end the stream with an explicit error event and
      // close the connection, so no client mistakes a cut stream for a complete answer.
      const code: ErrorCode = this.#timedOut || (err as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT' ? 'E_UPSTREAM_TIMEOUT' : 'E_UPSTREAM';
      this.#errorCode = code;
      this.#deps.metrics.errors.labels(route.id, backend.name, 'stream_' + code).inc();
      bs.breaker.onFailure(route.breaker, Date.now());
      this.#deps.windows.record(backend.metricsKey, false, undefined, this.#ttftMs);
      if (!res.destroyed) res.write(sseErrorEvent(code, `upstream stream failed: ${err.message}`), () => res.destroy());
      this.#settleTokens(undefined);
      this.#finish(res.statusCode, code, backend);
      return;
    }
    if (this.#clientGone) {
      this.#settleTokens(undefined);
      this.#finish(499, 'client_closed', backend);
      return;
    }
    res.end();
    const usage = this.#streamUsage(this.#call!);
    if (usage) {
      const series = this.#deps.metrics.backendSeries(backend, route.id, backend.name);
      series.tokensIn.inc(usage.promptTokens);
      series.tokensOut.inc(usage.completionTokens);
    }
    this.#settleTokens(usage ? usage.promptTokens + usage.completionTokens : undefined);
    this.#deps.windows.record(backend.metricsKey, true, performance.now() - this.#p.startedAt, this.#ttftMs);
    this.#finish(this.#streamStatus, undefined, backend);
  }

  #settleTokens(actual: number | undefined): void {
    if (this.#tokenChecks.length === 0) return;
    // Without usage (a stream that did not ask for it), count a chunk as a token: vLLM sends one per token.
    const used = actual ?? Math.ceil(this.#p.rawBody.length / 4) + (this.#call?.chunksForwarded ?? 0);
    const delta = this.#reserved - used;
    if (delta !== 0) for (const c of this.#tokenChecks) this.#deps.limiter.adjust(c, delta);
  }

  #respondFailure(route: CompiledRoute, last: AttemptOutcome | undefined, kind: FailureKind | undefined, backend: CompiledBackend | undefined, noBackend: boolean): void {
    const res = this.#p.res;
    if (noBackend || !last || !backend) {
      this.#fail('E_NO_HEALTHY_BACKEND', `no healthy backend for route ${route.name}`, { 'retry-after': '1' });
      return;
    }
    if (last.type === 'buffered') {
      // The upstream's own answer (5xx or 429 after retries) is the most useful thing to pass on.
      res.writeHead(last.status, this.#responseHeaders(route, backend, last.rawHeaders, last.body.length));
      res.end(last.body);
      this.#settleTokens(0);
      this.#finish(last.status, kind, backend);
      return;
    }
    const timeout = kind === 'timeout' || this.#timedOut;
    this.#settleTokens(0);
    this.#fail(timeout ? 'E_UPSTREAM_TIMEOUT' : 'E_UPSTREAM', timeout ? `upstream timed out after ${this.#attempts} attempt(s)` : `upstream failed after ${this.#attempts} attempt(s): ${last.type === 'error' ? last.error.message : ''}`, {}, null, backend);
  }

  #failWith(err: unknown): void {
    if (isPloydError(err)) this.#fail(err.code, err.message);
    else {
      this.#deps.log.error({ err }, 'gateway: unexpected error');
      this.#fail('E_INTERNAL', 'internal gateway error');
    }
  }

  #fail(code: ErrorCode, message: string, headers: OutgoingHttpHeaders = {}, param: string | null = null, backend?: CompiledBackend): void {
    clearTimeout(this.#deadlineTimer);
    ratelimitHeaders(this.#decision, headers);
    headers['x-request-id'] = this.#p.requestId;
    if (code === 'E_UNAUTHENTICATED' || code === 'E_TOKEN_EXPIRED') headers['www-authenticate'] = 'Bearer';
    sendError(this.#p.res, code, message, headers, param);
    this.#finish(ERROR_CATALOGUE[code].http, code, backend);
  }

  #finish(status: number, errorCode: string | undefined, backend: CompiledBackend | undefined): void {
    this.#errorCode ??= errorCode;
    const route = this.#route;
    const routeLabel = route?.id ?? 'none';
    const backendLabel = backend?.name ?? 'none';
    const m = this.#deps.metrics;
    const total = performance.now() - this.#p.startedAt;
    if (route && backend) {
      const series = m.backendSeries(backend, routeLabel, backendLabel);
      m.requestsWith(series, status).inc();
      if (route.monitoring !== false) {
        series.latency.observe(total / 1000);
        if (this.#ttftMs !== undefined) series.ttft.observe(this.#ttftMs / 1000);
      }
    } else {
      m.requests.labels(routeLabel, backendLabel, String(status)).inc();
      if (route?.monitoring !== false) {
        m.latency.labels(routeLabel, backendLabel).observe(total / 1000);
        if (this.#ttftMs !== undefined) m.ttft.labels(routeLabel, backendLabel).observe(this.#ttftMs / 1000);
      }
    }
    if (this.#errorCode && errorCode !== undefined) m.errors.labels(routeLabel, backendLabel, this.#errorCode).inc();
    const isError = status >= 400;
    // Checked first: building the log record costs more than the rest of this function.
    if (this.#deps.log.isLevelEnabled('info') && (isError || this.#deps.accessLogSampleRate >= 1 || Math.random() < this.#deps.accessLogSampleRate)) {
      this.#deps.log.info(
        {
          access: true,
          id: this.#p.requestId,
          method: this.#p.req.method,
          path: this.#p.req.url,
          route: route?.id,
          backend: backend?.name,
          model: this.#p.body.model,
          status,
          error: this.#errorCode,
          attempts: this.#attempts,
          ms: Number(total.toFixed(3)),
          ttftMs: this.#ttftMs !== undefined ? Number(this.#ttftMs.toFixed(3)) : undefined,
          client: this.#principal?.id,
        },
        'request',
      );
    }
  }
}

/** A request id: the client's `x-request-id` when sane, else a fresh UUID. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const v = headers['x-request-id'];
  const s = Array.isArray(v) ? v[0] : v;
  if (s !== undefined && s.length <= 128 && /^[\w.:-]+$/.test(s)) return s;
  // Unique without a UUID per request: a random per-process prefix and a counter.
  return `${ID_PREFIX}${(++sequence).toString(16).padStart(12, '0')}`;
}
