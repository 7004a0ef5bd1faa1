import { z } from 'zod';
import { Duration } from '../quantity.ts';
import { PLOYD_API_VERSION, resourceSchema } from '../metadata.ts';

export const Strategy = z.enum(['weighted_round_robin', 'least_latency', 'least_busy', 'cost_optimized']);
export type Strategy = z.infer<typeof Strategy>;

/** A string match in the style of Gateway API HTTPRoute (`Exact`, `PathPrefix`→`Prefix`, `RegularExpression`). */
export const StringMatch = z.union([
  z.string().transform((value) => ({ type: 'Exact' as const, value })),
  z.object({ type: z.enum(['Exact', 'Prefix', 'RegularExpression']).default('Exact'), value: z.string() }),
]);
export type StringMatch = z.infer<typeof StringMatch>;

export const HeaderMatch = z.object({
  name: z.string().min(1),
  type: z.enum(['Exact', 'Prefix', 'RegularExpression']).default('Exact'),
  value: z.string(),
});

/**
 * A backend: a ModelDeployment of the same environment by `name` (its ready replicas), or an
 * explicit `url`. `service`/`port` are the Kubernetes Service address the Kubernetes target uses.
 */
export const Backend = z.object({
  name: z.string().min(1),
  url: z.url().optional(),
  service: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  weight: z.number().int().min(0).max(100).default(100),
  /** Fallback order: lower is tried first. */
  priority: z.number().int().min(0).default(1),
  /** A fallback-eligible backend; with weight 0 it only takes traffic when others fail. */
  fallback: z.boolean().default(false),
  /** Rewrites the request's `model` to this name; default: the ModelDeployment's served name. */
  model: z.string().optional(),
  /** Declared price per 1k tokens, for cost_optimized; default: the ModelDeployment's `cost`. */
  cost: z.object({ inputPer1kTokens: z.number().min(0).default(0), outputPer1kTokens: z.number().min(0).default(0) }).optional(),
});
export type Backend = z.infer<typeof Backend>;

export const RouteMatch = z.object({
  /** Matches the request body's `model`. */
  model: StringMatch.optional(),
  headers: z.array(HeaderMatch).optional(),
});

export const RouteRule = z.object({
  name: z.string().optional(),
  /** All of a match's conditions must hold; any match of the list selects the rule. No matches = any request. */
  matches: z.array(RouteMatch).optional(),
  backends: z.array(Backend).min(1),
  strategy: Strategy.optional(),
});
export type RouteRule = z.infer<typeof RouteRule>;

const Limit = z.object({
  rpm: z.number().int().positive().optional(),
  burst: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

export const GatewayRouteSpec = z.object({
  /** Path prefix this route serves; the OpenAI endpoints below it are served (`/v2/chat` → `/v2/chat/completions`). */
  path: z.string().startsWith('/').default('/v1'),
  methods: z.array(z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])).default(['POST']),
  hosts: z.array(z.string()).optional(),
  /** Seed 001's flat shorthand: one rule that matches everything, with these backends. */
  models: z.array(Backend).optional(),
  rules: z.array(RouteRule).optional(),
  routing: z
    .object({
      strategy: Strategy.default('weighted_round_robin'),
      timeout: Duration.default(30_000),
      perTryTimeout: Duration.optional(),
      retries: z.number().int().min(0).max(10).default(2),
      retryOn: z.array(z.enum(['connect-failure', '5xx', '429', 'reset', 'timeout'])).optional(),
      backoff: z.object({ base: Duration.default(25), max: Duration.default(1000) }).optional(),
      sessionAffinity: z.object({ header: z.string().min(1) }).optional(),
      maxQueue: z.number().int().min(0).optional(),
    })
    .default({ strategy: 'weighted_round_robin', timeout: 30_000, retries: 2 }),
  rateLimit: z
    .object({
      enabled: z.boolean().default(true),
      global: Limit.optional(),
      perClient: Limit.extend({ key: z.enum(['auto', 'apiKey', 'subject', 'ip']).default('auto') }).optional(),
    })
    .optional(),
  authentication: z
    .object({
      required: z.boolean().default(true),
      methods: z.array(z.enum(['api_key', 'jwt'])).default(['api_key']),
      jwt: z
        .object({
          issuer: z.string().optional(),
          audience: z.union([z.string(), z.array(z.string())]).optional(),
          jwksUrl: z.url().optional(),
          /** Static public keys (PEM or JWK JSON) or an env reference `env:NAME` for HMAC secrets. */
          keys: z.array(z.string()).optional(),
          algorithms: z.array(z.string()).default(['RS256', 'ES256']),
          tierClaim: z.string().optional(),
        })
        .optional(),
      /** Which tier an authenticated client belongs to is sent upstream as this header. */
      tierHeader: z.string().optional(),
    })
    .optional(),
  circuitBreaker: z
    .object({
      enabled: z.boolean().default(true),
      failureThreshold: z.number().int().min(1).default(5),
      recoveryTimeout: Duration.default(30_000),
      halfOpenRequests: z.number().int().min(1).default(1),
    })
    .optional(),
  monitoring: z
    .object({
      enabled: z.boolean().default(true),
      metrics: z.array(z.string()).optional(),
    })
    .optional(),
});

/**
 * `ployd.ai/v1 GatewayRoute`: how OpenAI-compatible traffic reaches model backends (seed 001),
 * with Gateway-API-style rules for header routing (seed 000's `x-model-tier`).
 */
export const GatewayRoute = resourceSchema(PLOYD_API_VERSION, 'GatewayRoute', GatewayRouteSpec);
export type GatewayRoute = z.infer<typeof GatewayRoute>;
export type GatewayRouteSpec = z.infer<typeof GatewayRouteSpec>;

/** The rules a route really has: `rules`, plus the flat `models` list as a catch-all last rule. */
export function effectiveRules(route: GatewayRoute): RouteRule[] {
  const rules = [...(route.spec.rules ?? [])];
  if (route.spec.models && route.spec.models.length > 0) rules.push({ name: 'models', backends: route.spec.models });
  return rules;
}
