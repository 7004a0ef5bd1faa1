import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledMatch, CompiledRoute, CompiledRule } from './route-table.ts';

export interface RouteRequest {
  readonly method: string;
  readonly host: string | undefined;
  readonly model: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

export interface RouteChoice {
  readonly route: CompiledRoute;
  readonly rule: CompiledRule;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function matchHolds(m: CompiledMatch, req: RouteRequest): boolean {
  if (m.model && !m.model(req.model)) return false;
  for (const h of m.headers) if (!h.test(headerValue(req.headers, h.name))) return false;
  return true;
}

/** Routes on this path whose host and method admit the request. */
export function admissibleRoutes(routes: readonly CompiledRoute[], req: Pick<RouteRequest, 'method' | 'host'>): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  for (const r of routes) {
    if (r.hosts && !r.hosts(req.host)) continue;
    if (!r.methods.has(req.method)) continue;
    out.push(r);
  }
  return out;
}

/**
 * Picks the rule for a request among the routes serving its path. As in Gateway API, a rule with
 * matches that hold beats a catch-all: specific rules of every route are tried first (route order),
 * then catch-alls (seed 001's flat `models` list is one).
 */
export function selectRule(routes: readonly CompiledRoute[], req: RouteRequest): RouteChoice | undefined {
  for (const route of routes) {
    for (const rule of route.rules) {
      if (rule.matches.length === 0) continue;
      for (const m of rule.matches) if (matchHolds(m, req)) return { route, rule };
    }
  }
  for (const route of routes) {
    for (const rule of route.rules) if (rule.matches.length === 0) return { route, rule };
  }
  return undefined;
}
