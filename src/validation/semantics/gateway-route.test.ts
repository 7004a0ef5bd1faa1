import { describe, expect, it } from 'vitest';
import { checkGatewayRoutes } from './gateway-route.ts';
import { brief, indexFor, MODEL, pos, setup } from './test-helpers.ts';

const MODELS = `${MODEL('llama-v2-1')}---
${MODEL('llama-v2-0')}---
`;

const route = (body: string): string => `${MODELS}apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat
spec:
${body}`;

describe('GatewayRoute weights', () => {
  it('accepts seed 001 weights 90 + 10', () => {
    const { inputs, index } = setup(
      route(`  models:
    - name: llama-v2-1
      weight: 90
    - name: llama-v2-0
      weight: 10
      fallback: true
`),
    );
    expect(checkGatewayRoutes(inputs, index)).toEqual([]);
  });

  it('reports a flat models list that sums to 110 at spec.models', () => {
    const text = route(`  models:
    - name: llama-v2-1
      weight: 90
    - name: llama-v2-0
      weight: 20
`);
    const { inputs, index } = setup(text);
    const ds = checkGatewayRoutes(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_WEIGHTS_SUM', ...pos(text, 'models:'), path: 'spec.models' }]);
    expect(ds[0]?.message).toContain('sum to 110');
    expect(ds[0]).toMatchObject({ severity: 'error', file: 'test.yaml', resource: 'GatewayRoute/-/chat' });
    expect(ds[0]?.suggestion).toBeUndefined();
    const withFallback = setup(text.replace('weight: 20', 'weight: 20\n      fallback: true'));
    expect(checkGatewayRoutes(withFallback.inputs, withFallback.index)[0]?.suggestion).toContain('fallback: true, weight: 0 is fallback-only');
  });

  it('excludes fallback-only backends (fallback: true, weight: 0) from the sum', () => {
    const { inputs, index } = setup(
      route(`  models:
    - name: llama-v2-1
      weight: 100
    - name: llama-v2-0
      weight: 0
      fallback: true
`),
    );
    expect(checkGatewayRoutes(inputs, index)).toEqual([]);
  });

  it('checks each rule; a defaulted weight counts as 100', () => {
    const text = route(`  rules:
    - matches: [{ headers: [{ name: x-model-tier, value: premium }] }]
      backends:
        - name: llama-v2-1
          weight: 0
        - name: llama-v2-0
          weight: 100
    - backends:
        - name: llama-v2-1
        - name: llama-v2-0
          weight: 50
`);
    const { inputs, index } = setup(text);
    const ds = checkGatewayRoutes(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_WEIGHTS_SUM', ...pos(text, 'backends:', 1), path: 'spec.rules[1].backends' }]);
    expect(ds[0]?.message).toContain('sum to 150');
    expect(ds[0]?.message).toContain('llama-v2-1=100 (default)');
  });

  it('rejects a rule where every backend is fallback-only', () => {
    const text = route(`  models:
    - name: llama-v2-1
      weight: 0
      fallback: true
`);
    const { inputs, index } = setup(text);
    const ds = checkGatewayRoutes(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_WEIGHTS_SUM', ...pos(text, 'models:'), path: 'spec.models' }]);
    expect(ds[0]?.message).toContain('fallback-only');
  });

  it('requires models or rules', () => {
    const text = route(`  path: /v1\n`);
    const { inputs, index } = setup(text);
    expect(brief(checkGatewayRoutes(inputs, index))).toEqual([{ code: 'E_MISSING_FIELD', ...pos(text, 'spec:', 2), path: 'spec' }]);
  });
});

describe('GatewayRoute backend references', () => {
  it('reports a backend naming no ModelDeployment, with a did-you-mean', () => {
    const text = route(`  models:
    - name: llama-v2-2
      weight: 100
`);
    const { inputs, index } = setup(text);
    const ds = checkGatewayRoutes(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_REF_NOT_FOUND', ...pos(text, 'name: llama-v2-2'), path: 'spec.models[0].name' }]);
    expect(ds[0]?.suggestion).toMatch(/^did you mean llama-v2-[01]\?$/);
  });

  it('explains a backend that names a served model name instead of the deployment', () => {
    const text = `${MODEL('chat-v1', '    name: chat\n')}---\n${MODEL('chat-v2', '    name: chat\n')}---\napiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: r
spec:
  models:
    - name: chat
`;
    const { inputs, index } = setup(text);
    const ds = checkGatewayRoutes(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_REF_NOT_FOUND', ...pos(text, 'name: chat\n', 2), path: 'spec.models[0].name' }]);
    expect(ds[0]?.suggestion).toBe('chat is the served model name of chat-v1, chat-v2; a backend names the ModelDeployment (metadata.name)');
  });

  it('accepts a backend with an explicit url', () => {
    const { inputs, index } = setup(`apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat
spec:
  models:
    - name: external
      url: http://10.0.0.5:8000
`);
    expect(checkGatewayRoutes(inputs, index)).toEqual([]);
  });

  const ROUTE = `apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat
spec:
  models: [{ name: llama-v2-1 }]
`;

  it('does not see a ModelDeployment of another environment', () => {
    const all = [...setup(MODEL('llama-v2-1'), { environment: 'staging' }).inputs, ...setup(ROUTE, { environment: 'dev', file: 'route.yaml' }).inputs];
    const ds = checkGatewayRoutes(all, indexFor(all));
    expect(brief(ds)).toEqual([{ code: 'E_REF_NOT_FOUND', ...pos(ROUTE, 'name: llama'), path: 'spec.models[0].name' }]);
    expect(ds[0]).toMatchObject({ file: 'route.yaml' });
    expect(ds[0]?.message).toBe('backend llama-v2-1 names no ModelDeployment in this environment and has no url');
  });

  it('sees an environment-independent ModelDeployment from any environment, and the run environment applies to unlabelled resources', () => {
    const shared = [...setup(MODEL('llama-v2-1')).inputs, ...setup(ROUTE, { environment: 'dev' }).inputs];
    expect(checkGatewayRoutes(shared, indexFor(shared))).toEqual([]);
    const staging = [...setup(MODEL('llama-v2-1'), { environment: 'staging' }).inputs, ...setup(ROUTE).inputs];
    expect(checkGatewayRoutes(staging, indexFor(staging, { environment: 'staging' }))).toEqual([]);
    expect(brief(checkGatewayRoutes(staging, indexFor(staging, { environment: 'dev' })))).toHaveLength(1);
  });
});
