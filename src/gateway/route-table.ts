import { effectiveRules, servedModelName, type GatewayRoute, type ModelDeployment, type Strategy } from '../resources/index.ts';
import type { Endpoint } from '../runtime/index.ts';
import { compileHostMatch, compileStringMatch, type StringTest } from './matcher.ts';
import type { RouteTableInput } from './types.ts';

/** The namespace of a resource without one, as everywhere in PloyD. */
export const DEFAULT_NAMESPACE = 'default';

/** OpenAI endpoints the gateway serves below a route's path, and the path they take upstream. */
export type ApiKind = 'chat' | 'completions' | 'embeddings' | 'models';
export const API_SUFFIXES: readonly (readonly [suffix: string, kind: ApiKind, upstreamPath: string])[] = [
  ['/chat/completions', 'chat', '/v1/chat/completions'],
  ['/completions', 'completions', '/v1/completions'],
  ['/embeddings', 'embeddings', '/v1/embeddings'],
  ['/models', 'models', '/v1/models'],
];

export interface Replica {
  /** Stable across reloads: the replica's URL (state such as in-flight counts is keyed by it). */
  readonly id: string;
  /** Origin (`http://host:port`) the connection pool is keyed by. */
  readonly origin: string;
  /** Path prefix of the replica's URL, prepended to the upstream path (`''` for a bare origin). */
  readonly basePath: string;
}

export interface CompiledBackend {
  /** Stable id `route-namespace/route-name/backend-name`: breaker and balancer state survive reloads. */
  readonly id: string;
  readonly name: string;
  /** `namespace/name` of the backend, what rolling-window metrics are keyed by for the canary controller. */
  readonly metricsKey: string;
  readonly weight: number;
  readonly priority: number;
  readonly fallback: boolean;
  /** The `model` sent upstream; undefined leaves the client's model as it is. */
  readonly model: string | undefined;
  /** Declared price of 1k input + 1k output tokens, for cost_optimized. */
  readonly costPer1k: number;
  readonly replicas: readonly Replica[];
}

export interface CompiledMatch {
  readonly model: StringTest | undefined;
  /** The model name when the match is `Exact`, listed by `/v1/models`. */
  readonly exactModel: string | undefined;
  readonly headers: readonly { readonly name: string; readonly test: StringTest }[];
}

export interface CompiledRule {
  /** Stable id: route id + rule index/name. */
  readonly id: string;
  readonly name: string;
  /** Empty = matches every request (a catch-all, tried after specific rules). */
  readonly matches: readonly CompiledMatch[];
  readonly backends: readonly CompiledBackend[];
  /** Backends that take traffic by strategy: weight > 0. */
  readonly primary: readonly CompiledBackend[];
  /** Every backend allowed to take traffic (weight > 0 or fallback), sorted by priority then weight. */
  readonly fallbackOrder: readonly CompiledBackend[];
  readonly strategy: Strategy;
}

export interface LimitSpec {
  readonly rpm: number | undefined;
  readonly burst: number | undefined;
  readonly tpm: number | undefined;
}

export interface CompiledRoute {
  /** `namespace/name`, stable across reloads. */
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly path: string;
  readonly methods: ReadonlySet<string>;
  readonly hosts: StringTest | undefined;
  readonly rules: readonly CompiledRule[];
  readonly routing: {
    readonly strategy: Strategy;
    readonly timeoutMs: number;
    readonly perTryTimeoutMs: number | undefined;
    readonly retries: number;
    readonly retryOn: ReadonlySet<'connect-failure' | '5xx' | '429' | 'reset' | 'timeout'>;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly affinityHeader: string | undefined;
    readonly maxQueue: number | undefined;
  };
  readonly rateLimit: { readonly global: LimitSpec | undefined; readonly perClient: (LimitSpec & { readonly key: 'auto' | 'apiKey' | 'subject' | 'ip' }) | undefined } | undefined;
  readonly auth: {
    readonly required: boolean;
    readonly apiKey: boolean;
    readonly jwt: NonNullable<NonNullable<GatewayRoute['spec']['authentication']>['jwt']> | undefined;
    readonly jwtEnabled: boolean;
    readonly tierHeader: string;
  };
  readonly breaker: { readonly enabled: boolean; readonly failureThreshold: number; readonly recoveryTimeoutMs: number; readonly halfOpenRequests: number };
  readonly monitoring: boolean;
}

/** An immutable, fully compiled route table. Swapped as one reference; never mutated. */
export interface RouteTableSnapshot {
  readonly version: number;
  readonly routes: readonly CompiledRoute[];
  /** Request path → routes serving it (most specific path first) and the OpenAI endpoint it is. */
  readonly byPath: ReadonlyMap<string, { readonly kind: ApiKind; readonly upstreamPath: string; readonly routes: readonly CompiledRoute[] }>;
  /** Model names clients can ask for, for `/v1/models`. */
  readonly models: readonly string[];
  /** Every replica, for metrics scraping. */
  readonly replicas: readonly Replica[];
  readonly createdAt: number;
}

const ALL_RETRY_ON = ['connect-failure', '5xx', '429', 'reset', 'timeout'] as const;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) {
      for (const v of value.values()) deepFreeze(v);
    } else if (value instanceof Set) {
      // Sets hold primitives here.
    } else {
      for (const v of Object.values(value)) if (typeof v !== 'function') deepFreeze(v);
    }
  }
  return value;
}

function toReplica(url: string): Replica {
  const u = new URL(url);
  const basePath = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return { id: url, origin: u.origin, basePath };
}

/**
 * Compiles route-table inputs into an immutable snapshot. Pure: the same input gives an equal
 * snapshot; state (breakers, in-flight counts, EWMA, limiter buckets) lives outside, keyed by the
 * stable ids here, so it survives reloads.
 *
 * @example
 * const snap = compileRouteTable({ routes, deployments, endpoints }, 1);
 */
export function compileRouteTable(input: RouteTableInput, version: number): RouteTableSnapshot {
  const deployments = new Map<string, ModelDeployment>();
  for (const d of input.deployments) deployments.set(`${d.metadata.namespace ?? DEFAULT_NAMESPACE}/${d.metadata.name}`, d);
  const endpointsByDeployment = new Map<string, Endpoint[]>();
  for (const e of input.endpoints) {
    const key = `${e.namespace}/${e.name}`;
    let list = endpointsByDeployment.get(key);
    if (!list) endpointsByDeployment.set(key, (list = []));
    list.push(e);
  }
  const routes = [...input.routes]
    .sort((a, b) => `${a.metadata.namespace ?? DEFAULT_NAMESPACE}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? DEFAULT_NAMESPACE}/${b.metadata.name}`))
    .map((r) => compileRoute(r, deployments, endpointsByDeployment));

  const byPath = new Map<string, { kind: ApiKind; upstreamPath: string; routes: CompiledRoute[] }>();
  // Longer (more specific) route paths first, then by id for determinism.
  const ordered = [...routes].sort((a, b) => b.path.length - a.path.length || a.id.localeCompare(b.id));
  for (const route of ordered) {
    for (const [suffix, kind, upstreamPath] of API_SUFFIXES) {
      // `/v2/chat` + `/completions` is `/v2/chat/completions`, a chat endpoint, as seed 001 writes it.
      const full = (route.path === '/' ? '' : route.path) + suffix;
      const k: ApiKind = full.endsWith('/chat/completions') ? 'chat' : kind;
      const up = k === 'chat' ? '/v1/chat/completions' : upstreamPath;
      let entry = byPath.get(full);
      if (!entry) byPath.set(full, (entry = { kind: k, upstreamPath: up, routes: [] }));
      if (!entry.routes.includes(route)) entry.routes.push(route);
    }
  }

  const models = new Set<string>();
  const replicas = new Map<string, Replica>();
  for (const route of routes) {
    for (const rule of route.rules) {
      const exact = rule.matches.map((m) => m.exactModel).filter((x): x is string => x !== undefined);
      if (exact.length > 0) for (const m of exact) models.add(m);
      else for (const b of rule.primary) models.add(b.name);
      for (const b of rule.backends) for (const r of b.replicas) replicas.set(r.id, r);
    }
  }
  return deepFreeze({ version, routes, byPath, models: [...models].sort(), replicas: [...replicas.values()], createdAt: Date.now() });
}

function compileRoute(route: GatewayRoute, deployments: Map<string, ModelDeployment>, endpoints: Map<string, Endpoint[]>): CompiledRoute {
  const namespace = route.metadata.namespace ?? DEFAULT_NAMESPACE;
  const id = `${namespace}/${route.metadata.name}`;
  const spec = route.spec;
  const routing = spec.routing;
  const rules = effectiveRules(route).map((rule, index): CompiledRule => {
    const ruleId = `${id}#${rule.name ?? index}`;
    const backends = rule.backends.map((b): CompiledBackend => {
      const md = deployments.get(`${namespace}/${b.name}`);
      let replicas: Replica[];
      if (b.url) replicas = [toReplica(b.url)];
      else {
        const eps = [...(endpoints.get(`${namespace}/${b.name}`) ?? [])].sort((x, y) => x.url.localeCompare(y.url));
        replicas = eps.map((e) => toReplica(e.url));
      }
      const cost = b.cost ?? md?.spec.cost;
      const model = b.model ?? (md ? servedModelName(md) : undefined) ?? (b.url ? undefined : endpoints.get(`${namespace}/${b.name}`)?.[0]?.servedModelName);
      return {
        id: `${id}/${b.name}`,
        name: b.name,
        metricsKey: `${namespace}/${b.name}`,
        weight: b.weight,
        priority: b.priority,
        fallback: b.fallback,
        model,
        costPer1k: cost ? cost.inputPer1kTokens + cost.outputPer1kTokens : 0,
        replicas,
      };
    });
    const matches = (rule.matches ?? []).map((m, mi): CompiledMatch => {
      return {
        model: m.model ? compileStringMatch(m.model, `spec.rules[${index}].matches[${mi}].model`) : undefined,
        exactModel: m.model?.type === 'Exact' ? m.model.value : undefined,
        headers: (m.headers ?? []).map((h, hi) => ({
          name: h.name.toLowerCase(),
          test: compileStringMatch(h, `spec.rules[${index}].matches[${mi}].headers[${hi}]`),
        })),
      };
    });
    const primary = backends.filter((b) => b.weight > 0);
    const fallbackOrder = backends.filter((b) => b.weight > 0 || b.fallback).sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    return { id: ruleId, name: rule.name ?? String(index), matches, backends, primary, fallbackOrder, strategy: rule.strategy ?? routing.strategy };
  });
  const auth = spec.authentication;
  const methods = auth?.methods ?? ['api_key'];
  const rl = spec.rateLimit;
  const limit = (l: { rpm?: number | undefined; burst?: number | undefined; tpm?: number | undefined } | undefined): LimitSpec | undefined =>
    l && (l.rpm !== undefined || l.tpm !== undefined) ? { rpm: l.rpm, burst: l.burst, tpm: l.tpm } : undefined;
  const perClient = limit(rl?.perClient);
  const cb = spec.circuitBreaker;
  return {
    id,
    name: route.metadata.name,
    namespace,
    path: spec.path.length > 1 ? spec.path.replace(/\/+$/, '') : spec.path,
    methods: new Set(spec.methods),
    hosts: spec.hosts && spec.hosts.length > 0 ? compileHostMatch(spec.hosts) : undefined,
    rules,
    routing: {
      strategy: routing.strategy,
      timeoutMs: routing.timeout,
      perTryTimeoutMs: routing.perTryTimeout,
      retries: routing.retries,
      retryOn: new Set(routing.retryOn ?? ALL_RETRY_ON),
      backoffBaseMs: routing.backoff?.base ?? 25,
      backoffMaxMs: routing.backoff?.max ?? 1000,
      affinityHeader: routing.sessionAffinity?.header.toLowerCase(),
      maxQueue: routing.maxQueue,
    },
    rateLimit:
      rl && rl.enabled !== false
        ? { global: limit(rl.global), perClient: perClient && rl.perClient ? { ...perClient, key: rl.perClient.key } : undefined }
        : undefined,
    auth: {
      required: auth?.required ?? false,
      apiKey: methods.includes('api_key'),
      jwt: auth?.jwt,
      jwtEnabled: methods.includes('jwt'),
      tierHeader: (auth?.tierHeader ?? 'x-model-tier').toLowerCase(),
    },
    breaker: {
      enabled: cb?.enabled ?? true,
      failureThreshold: cb?.failureThreshold ?? 5,
      recoveryTimeoutMs: cb?.recoveryTimeout ?? 30_000,
      halfOpenRequests: cb?.halfOpenRequests ?? 1,
    },
    monitoring: spec.monitoring?.enabled ?? true,
  };
}

/**
 * Holds the current snapshot behind a single reference: readers take `current` once per request
 * and keep using that snapshot for the whole request, so a swap never changes a request midway.
 */
export class RouteTableHolder {
  #current: RouteTableSnapshot;
  #version = 0;

  constructor(initial?: RouteTableInput) {
    this.#current = compileRouteTable(initial ?? { routes: [], deployments: [], endpoints: [] }, this.#version);
  }

  get current(): RouteTableSnapshot {
    return this.#current;
  }

  /**
   * Compiles and checks first, then swaps: a bad input throws and leaves the current snapshot in
   * place, so no request ever sees a half-applied table.
   */
  publish(input: RouteTableInput, check?: (next: RouteTableSnapshot) => void): RouteTableSnapshot {
    const next = compileRouteTable(input, this.#version + 1);
    check?.(next);
    this.#version++;
    this.#current = next;
    return next;
  }
}
