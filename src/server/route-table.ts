import type { z } from 'zod';
import type { Actor, Ployd, TokenPrincipal } from '../sdk/index.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One Casbin request in Argo CD's vocabulary: `applications, sync, llm-models/production/x`. */
export interface Permission {
  readonly resource: string;
  readonly action: string;
  readonly object: string;
}

/** What a handler gets: validated input, the caller, and the SDK to act through. */
export interface HandlerInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The body as sent (minus `resourceVersion`): what the SDK parses itself, so defaults are not baked in. */
  readonly rawBody: unknown;
  /** The resourceVersion the caller read, from `If-Match` or the body (they must agree). */
  readonly expectedVersion: number | undefined;
  readonly principal: TokenPrincipal;
  /** `principal` + `via`, for every mutating SDK call so the audit log names the caller. */
  readonly actor: Actor;
  readonly ployd: Ployd;
  /** Throws E_FORBIDDEN naming the permission; for checks that need the stored object first. */
  readonly authorize: (p: Permission) => Promise<void>;
  /** True when allowed; for filtering lists item by item. */
  readonly can: (p: Permission) => Promise<boolean>;
}

export interface HandlerResult {
  readonly status?: number;
  readonly body?: unknown;
  /** A resourceVersion to send as `ETag`. */
  readonly etag?: string | number;
}

/**
 * A control-plane endpoint, declared once: the server mounts it, validates and authorizes with
 * it, and the OpenAPI document is generated from the same object, so the two cannot drift.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** OpenAPI-style path below /api/v1: `/models/{namespace}/{name}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** Body required? Defaults to true when a body schema is given. */
  readonly bodyRequired?: boolean;
  /** Success status and schema (for OpenAPI and PloydClient). */
  readonly response: {
    readonly status: 200 | 201 | 204;
    readonly schema?: z.ZodType;
    /** Component name of the schema in the OpenAPI document. */
    readonly name?: string;
    /** An upsert: answers 201 when it created the object. */
    readonly mayCreate?: boolean;
  };
  /** The permission in words, for the OpenAPI document and docs/api.md. */
  readonly rbac: string;
  /** Whether the route honours `If-Match`. */
  readonly conditional?: boolean;
  /**
   * The permission checked before the handler runs, or `authenticated` when the handler checks
   * per object itself (lists filtered per item, objects whose project is read from the store).
   */
  readonly permission: (input: { params: P; query: Q; body: B }) => Permission | 'authenticated';
  readonly handle: (input: HandlerInput<P, Q, B>) => Promise<HandlerResult>;
}

/** Identity helper that keeps P, Q, B inferred from the schemas. */
export function defineRoute<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table is heterogeneous by design
export type AnyRoute = RouteSpec<any, any, any>;

/** `/models/{namespace}/{name}` → `/models/:namespace/:name` for Hono. */
export function honoPath(openapiPath: string): string {
  return openapiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
