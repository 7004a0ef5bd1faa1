import type { IncomingHttpHeaders } from 'node:http';
import { PloydError } from '../../errors/index.ts';
import type { CompiledRoute, RouteTableSnapshot } from '../route-table.ts';
import type { ApiKeyVerifier } from '../types.ts';
import { ApiKeyAuthenticator } from './api-key.ts';
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

  async authenticate(route: CompiledRoute, headers: IncomingHttpHeaders, now: number): Promise<Principal | undefined> {
    const token = presentedCredential(headers);
    if (token === undefined || token === '') {
      if (route.auth.required) throw new PloydError('E_UNAUTHENTICATED', 'missing credentials: send Authorization: Bearer <key>');
      return undefined;
    }
    let principal: Principal;
    if (route.auth.jwtEnabled && route.auth.jwt && looksLikeJwt(token)) {
      principal = await this.#jwtFor(route).verify(token);
    } else if (route.auth.apiKey) {
      if (!this.#apiKeys) throw new PloydError('E_UNAUTHENTICATED', 'API keys are not configured on this gateway');
      principal = await this.#apiKeys.authenticate(token, now);
    } else {
      throw new PloydError('E_UNAUTHENTICATED', 'this route accepts JWTs only');
    }
    if (principal.routes && !principal.routes.includes(route.name)) {
      throw new PloydError('E_FORBIDDEN', `credential is not allowed on route ${route.name}`, { route: route.name });
    }
    return principal;
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
