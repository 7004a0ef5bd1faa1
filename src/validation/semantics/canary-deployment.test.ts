import { describe, expect, it } from 'vitest';
import { checkCanaries } from './canary-deployment.ts';
import { brief, MODEL, pos, setup } from './test-helpers.ts';

const BASE = `${MODEL('llama-v2-0')}---
${MODEL('llama-v2-1')}---
apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat
spec:
  models: [{ name: llama-v2-0 }]
---
`;

const canary = (spec: string): string => `${BASE}apiVersion: ployd.ai/v1
kind: CanaryDeployment
metadata:
  name: llama-canary
spec:
${spec}`;

describe('CanaryDeployment', () => {
  it('accepts seed 001 canary', () => {
    const { inputs, index } = setup(
      canary(`  stable: { model: llama-v2-0, replicas: 3 }
  canary: { model: llama-v2-1, replicas: 1 }
  route: chat
  traffic:
    canaryWeight: 10
    maxWeight: 100
    stepWeight: 10
    interval: 5m
`),
    );
    expect(checkCanaries(inputs, index)).toEqual([]);
  });

  it('reports stable/canary models and a route that do not exist', () => {
    const text = canary(`  stable:
    model: llama-v2-O
  canary:
    model: llama-v3
  route: chta
  traffic: {}
`);
    const { inputs, index } = setup(text);
    const ds = checkCanaries(inputs, index);
    expect(brief(ds)).toEqual([
      { code: 'E_REF_NOT_FOUND', ...pos(text, 'model: llama-v2-O'), path: 'spec.stable.model' },
      { code: 'E_REF_NOT_FOUND', ...pos(text, 'model: llama-v3'), path: 'spec.canary.model' },
      { code: 'E_REF_NOT_FOUND', ...pos(text, 'route: chta'), path: 'spec.route' },
    ]);
    expect(ds[0]?.suggestion).toBe('did you mean llama-v2-0?');
    expect(ds[2]?.suggestion).toBe('did you mean chat?');
  });

  it('reports stepWeight > maxWeight at stepWeight', () => {
    const text = canary(`  stable: { model: llama-v2-0 }
  canary: { model: llama-v2-1 }
  traffic:
    maxWeight: 50
    stepWeight: 60
`);
    const { inputs, index } = setup(text);
    const ds = checkCanaries(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_CANARY_STEP', ...pos(text, 'stepWeight'), path: 'spec.traffic.stepWeight' }]);
    expect(ds[0]?.message).toBe('stepWeight 60 exceeds maxWeight 50');
  });

  it('reports a defaulted stepWeight over a written maxWeight at maxWeight', () => {
    const text = canary(`  stable: { model: llama-v2-0 }
  canary: { model: llama-v2-1 }
  traffic:
    canaryWeight: 5
    maxWeight: 5
`);
    const { inputs, index } = setup(text);
    const ds = checkCanaries(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_CANARY_STEP', ...pos(text, 'maxWeight'), path: 'spec.traffic.maxWeight' }]);
    expect(ds[0]?.message).toBe('stepWeight 10 (default) exceeds maxWeight 5');
  });

  it('reports one finding at maxWeight when it is below both canaryWeight and stepWeight', () => {
    const text = canary(`  stable: { model: llama-v2-0 }
  canary: { model: llama-v2-1 }
  traffic:
    maxWeight: 5
`);
    const { inputs, index } = setup(text);
    const ds = checkCanaries(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_CANARY_STEP', ...pos(text, 'maxWeight'), path: 'spec.traffic.maxWeight' }]);
    expect(ds[0]?.message).toBe('maxWeight 5 is below canaryWeight 10 (default) and stepWeight 10 (default)');
  });

  it('reports canaryWeight > maxWeight at canaryWeight', () => {
    const text = canary(`  stable: { model: llama-v2-0 }
  canary: { model: llama-v2-1 }
  traffic:
    canaryWeight: 80
    maxWeight: 50
    stepWeight: 10
`);
    const { inputs, index } = setup(text);
    expect(brief(checkCanaries(inputs, index))).toEqual([{ code: 'E_CANARY_STEP', ...pos(text, 'canaryWeight'), path: 'spec.traffic.canaryWeight' }]);
  });

  it('checks explicit steps against maxWeight and order, ignoring stepWeight', () => {
    const text = canary(`  stable: { model: llama-v2-0 }
  canary: { model: llama-v2-1 }
  traffic:
    maxWeight: 50
    stepWeight: 90
    steps: [5, 25, 20, 60]
`);
    const { inputs, index } = setup(text);
    const ds = checkCanaries(inputs, index);
    expect(ds.map((d) => [d.code, d.path, d.message])).toEqual([
      ['E_CANARY_STEP', 'spec.traffic.steps[2]', 'steps must not decrease: 25 then 20'],
      ['E_CANARY_STEP', 'spec.traffic.steps[3]', 'step 60 exceeds maxWeight 50'],
    ]);
  });

  it('rejects the same model as stable and canary', () => {
    const text = canary(`  stable: { model: llama-v2-0 }
  canary:
    model: llama-v2-0
  traffic: {}
`);
    const { inputs, index } = setup(text);
    expect(brief(checkCanaries(inputs, index))).toEqual([{ code: 'E_CANARY_STEP', ...pos(text, 'model: llama-v2-0', 1), path: 'spec.canary.model' }]);
  });
});
