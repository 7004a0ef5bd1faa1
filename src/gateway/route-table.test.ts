import { describe, expect, it } from 'vitest';
import { GatewayRoute, ModelDeployment } from '../resources/index.ts';
import { compileRouteTable, RouteTableHolder } from './route-table.ts';
import { admissibleRoutes, selectRule } from './router.ts';

const route = (name: string, spec: Record<string, unknown>, namespace?: string) =>
  GatewayRoute.parse({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
const md = (name: string, namespace: string, served?: string) =>
  ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name, namespace }, spec: { model: { framework: 'simulator', ...(served ? { name: served } : {}) } } });
const ep = (name: string, namespace: string, url: string) => ({ namespace, name, servedModelName: name, replicaId: url, url });

describe('compileRouteTable', () => {
  it('resolves a backend named after a ModelDeployment to its ready replicas in the route namespace, with its served name', () => {
    const snap = compileRouteTable(
      {
        routes: [route('r', { models: [{ name: 'llama' }] }, 'prod')],
        deployments: [md('llama', 'prod', 'meta-llama/Llama-3.1-8B'), md('llama', 'dev')],
        endpoints: [ep('llama', 'prod', 'http://10.0.0.2:8000'), ep('llama', 'prod', 'http://10.0.0.1:8000/v1'), ep('llama', 'dev', 'http://10.9.9.9:8000')],
      },
      1,
    );
    const b = snap.routes[0]!.rules[0]!.backends[0]!;
    expect(b.replicas.map((r) => r.origin)).toEqual(['http://10.0.0.1:8000', 'http://10.0.0.2:8000']);
    expect(b.replicas[0]!.basePath).toBe('');
    expect(b.model).toBe('meta-llama/Llama-3.1-8B');
    expect(b.id).toBe('prod/r/llama');
    expect(Object.isFrozen(snap.routes[0]!.rules[0]!.backends)).toBe(true);
  });

  it('uses the default namespace for resources without one; url backends as they are', () => {
    const snap = compileRouteTable({ routes: [route('r', { models: [{ name: 'x', url: 'http://h:1/base' }] })], deployments: [], endpoints: [] }, 1);
    expect(snap.routes[0]!.id).toBe('default/r');
    const b = snap.routes[0]!.rules[0]!.backends[0]!;
    expect(b.replicas[0]).toMatchObject({ origin: 'http://h:1', basePath: '/base' });
    expect(b.model).toBeUndefined();
  });

  it('serves the OpenAI endpoints below a route path (seed 001: /v2/chat → /v2/chat/completions)', () => {
    const snap = compileRouteTable({ routes: [route('r', { path: '/v2/chat', models: [{ name: 'x', url: 'http://h:1' }] })], deployments: [], endpoints: [] }, 1);
    expect(snap.byPath.get('/v2/chat/completions')).toMatchObject({ kind: 'chat', upstreamPath: '/v1/chat/completions' });
    expect(snap.byPath.get('/v2/chat/embeddings')).toMatchObject({ kind: 'embeddings' });
    expect(snap.byPath.get('/v1/chat/completions')).toBeUndefined();
  });

  it('rejects an invalid regular expression with the field path, keeping the old table', () => {
    const holder = new RouteTableHolder();
    const before = holder.current;
    expect(() => holder.publish({ routes: [route('r', { rules: [{ matches: [{ headers: [{ name: 'x', type: 'RegularExpression', value: '[' }] }], backends: [{ name: 'x', url: 'http://h:1' }] }] })], deployments: [], endpoints: [] })).toThrow(
      /spec.rules\[0\].matches\[0\].headers\[0\]/,
    );
    expect(holder.current).toBe(before);
  });
});

describe('selectRule', () => {
  const snap = compileRouteTable(
    {
      routes: [
        route('a-catchall', { models: [{ name: 'small', url: 'http://s:1' }] }),
        route('b-tiers', {
          rules: [
            { name: 'enterprise', matches: [{ headers: [{ name: 'X-Model-Tier', value: 'enterprise' }] }], backends: [{ name: 'big', url: 'http://b:1' }] },
            { name: 'gpt', matches: [{ model: { type: 'RegularExpression', value: 'gpt-4(o)?' } }], backends: [{ name: 'gpt', url: 'http://g:1' }] },
            { name: 'prefix', matches: [{ model: { type: 'Prefix', value: 'llama-' } }], backends: [{ name: 'llama', url: 'http://l:1' }] },
          ],
        }),
      ],
      deployments: [],
      endpoints: [],
    },
    1,
  );
  const routes = admissibleRoutes(snap.byPath.get('/v1/chat/completions')!.routes, { method: 'POST', host: undefined });
  const pick = (model: string, headers: Record<string, string> = {}) => selectRule(routes, { method: 'POST', host: undefined, model, headers })?.rule.name;

  it('a specific rule of any route beats a catch-all (seed 000 routes by x-model-tier)', () => {
    expect(pick('anything', { 'x-model-tier': 'enterprise' })).toBe('enterprise');
    expect(pick('anything', { 'x-model-tier': 'premium' })).toBe('models');
  });

  it('model matches: regular expressions are anchored; prefixes', () => {
    expect(pick('gpt-4o')).toBe('gpt');
    expect(pick('gpt-4o-mini')).toBe('models');
    expect(pick('llama-3.1-8b')).toBe('prefix');
  });

  it('methods and hosts filter routes', () => {
    const s = compileRouteTable({ routes: [route('h', { hosts: ['*.example.com'], methods: ['POST'], models: [{ name: 'x', url: 'http://h:1' }] })], deployments: [], endpoints: [] }, 1);
    const rs = s.byPath.get('/v1/chat/completions')!.routes;
    expect(admissibleRoutes(rs, { method: 'POST', host: 'api.example.com:8080' })).toHaveLength(1);
    expect(admissibleRoutes(rs, { method: 'POST', host: 'example.org' })).toHaveLength(0);
    expect(admissibleRoutes(rs, { method: 'GET', host: 'api.example.com' })).toHaveLength(0);
  });
});
