import type { IncomingHttpHeaders } from 'node:http';
import { PloydError } from '../../errors/index.ts';
import type { CompiledRoute, RouteTableSnapshot } from '../route-table.ts';
import type { ApiKeyVerifier } from '../types.ts';
import { ApiKeyAuthenticator, type CredentialMemo } from './api-key.ts';
import { JwtVerifier } from './jwt.ts';
import type { Principal } from './principal.ts';

/** The presented credential: `Authorization: Bearer X` or `x-api-key: X`. */
export function presentedCredential(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined && auth.length > 7 && (auth.startsWith('Bearer ') || auth.startsWith('bearer '))) return auth.slice(7).trim();
  const x = headers['x-api-key'];
  return Array.isArray(x) ? x[0] : x;
}

/** Compact JWS: three base64url parts; API keys of the store never contain dots. */
function looksLikeJwt(token: string): boolean {
  const a = token.indexOf('.');
  return a > 0 && token.indexOf('.', a + 1) > a + 1 && token.startsWith('eyJ');
}

/** Key scopes: a principal limited to some routes is refused on the others. */
function allowedOn(route: CompiledRoute, principal: Principal): Principal {
  if (principal.routes && !principal.routes.includes(route.name)) {
    throw new PloydError('E_FORBIDDEN', `credential is not allowed on route ${route.name}`, { route: route.name });
  }
  return principal;
}

/**
 * Authenticates a request for a route: API key (through the store's verifier) or JWT, as the route's
 * `authentication.methods` allow; enforces key scopes (routes) and expiry. Returns undefined for an
 * anonymous request on a route that does not require authentication.
 */
export class Authenticator {
  readonly #apiKeys: ApiKeyAuthenticator | undefined;
  readonly #jwt = new Map<string, JwtVerifier>();

  constructor(verifier: ApiKeyVerifier | undefined, opts: { cacheTtlMs?: number } = {}) {
    this.#apiKeys = verifier ? new ApiKeyAuthenticator(verifier, opts.cacheTtlMs !== undefined ? { ttlMs: opts.cacheTtlMs } : {}) : undefined;
  }

  /**
   * Synchronous for a cached API key (the hot path: no promise, no microtask); a promise when the
   * store or a JWKS must be asked. Errors are thrown on the synchronous path and rejected otherwise.
   */
  authenticate(route: CompiledRoute, headers: IncomingHttpHeaders, now: number, memo?: CredentialMemo): Principal | undefined | Promise<Principal | undefined> {
    const token = presentedCredential(headers);
    if (token === undefined || token === '') {
      if (route.auth.required) throw new PloydError('E_UNAUTHENTICATED', 'missing credentials: send Authorization: Bearer <key>');
      return undefined;
    }
    if (route.auth.jwtEnabled && route.auth.jwt && looksLikeJwt(token)) {
      return this.#jwtFor(route)
        .verify(token)
        .then((p) => allowedOn(route, p));
    }
    if (!route.auth.apiKey) throw new PloydError('E_UNAUTHENTICATED', 'this route accepts JWTs only');
    if (!this.#apiKeys) throw new PloydError('E_UNAUTHENTICATED', 'API keys are not configured on this gateway');
    const p = this.#apiKeys.authenticate(token, now, memo);
    return p instanceof Promise ? p.then((x) => allowedOn(route, x)) : allowedOn(route, p);
  }

  /** Builds JWT verifiers for a new table up front, so a bad key configuration fails the publish, not requests. */
  prepare(snapshot: RouteTableSnapshot): void {
    for (const route of snapshot.routes) if (route.auth.jwtEnabled && route.auth.jwt) this.#jwtFor(route);
  }

  #jwtFor(route: CompiledRoute): JwtVerifier {
    const config = route.auth.jwt!;
    // Keyed by configuration, not snapshot: reloads keep the JWKS cache.
    const key = JSON.stringify(config);
    let v = this.#jwt.get(key);
    if (!v) {
      v = new JwtVerifier(config);
      if (this.#jwt.size > 1000) this.#jwt.clear();
      this.#jwt.set(key, v);
    }
    return v;
  }
}
