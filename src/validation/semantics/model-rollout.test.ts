import { describe, expect, it } from 'vitest';
import { checkRollouts, phasesReferenced } from './model-rollout.ts';
import { brief, MODEL, pos, setup } from './test-helpers.ts';

const BASE = `${MODEL('llama-3.1-8b')}---
${MODEL('llama-3.1-70b')}---
apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: llama-routing
spec:
  models: [{ name: llama-3.1-8b }]
---
`;

const rollout = (phases: string): string => `${BASE}apiVersion: ployd.ai/v1
kind: ModelRollout
metadata:
  name: llama-progressive
spec:
  phases:
${phases}`;

describe('ModelRollout', () => {
  it('accepts seed 000 progressive rollout', () => {
    const text = rollout(`    - name: deploy-7b
      deploy: { model: llama-3.1-8b, replicas: 5 }
    - name: validate-7b
      validate: { model: llama-3.1-8b, requests: 20, minSuccessRate: 0.99, maxLatencyMs: 2000 }
    - name: deploy-13b
      when: "phases['validate-7b'].result == 'success'"
      deploy: { model: llama-3.1-70b, replicas: 3 }
    - name: setup-traffic-routing
      when: "phases['deploy-13b'].result == 'success'"
      route: { name: llama-routing }
    - name: deploy-70b
      when: "parameters['deploy-enterprise'] == 'true'"
      deploy: { model: llama-3.1-70b, replicas: 2 }
`);
    expect(checkRollouts(setup(text).inputs, setup(text).index)).toEqual([]);
  });

  it('reports a cycle naming its phases, at the first phase of the cycle', () => {
    const text = rollout(`    - name: a
      dependsOn: [c]
    - name: b
      dependsOn: [a]
    - name: c
      dependsOn: [b]
`);
    const { inputs, index } = setup(text);
    const ds = checkRollouts(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_ROLLOUT_CYCLE', ...pos(text, 'dependsOn: [c]'), path: 'spec.phases[0].dependsOn' }]);
    expect(ds[0]?.message).toBe('phases form a cycle: a → c → b → a');
  });

  it('reports a self-dependency as a cycle', () => {
    const text = rollout(`    - name: a\n      dependsOn: [a]\n`);
    const ds = checkRollouts(setup(text).inputs, setup(text).index);
    expect(ds.map((d) => [d.code, d.message])).toEqual([['E_ROLLOUT_CYCLE', 'phases form a cycle: a → a']]);
  });

  it('reports dependsOn and when references to unknown phases', () => {
    const text = rollout(`    - name: deploy-7b
    - name: validate-7b
      dependsOn: [deploy-7c]
    - name: deploy-13b
      when: "phases['validate-7c'].result == 'success'"
`);
    const { inputs, index } = setup(text);
    const ds = checkRollouts(inputs, index);
    expect(brief(ds)).toEqual([
      { code: 'E_REF_NOT_FOUND', ...pos(text, 'deploy-7c'), path: 'spec.phases[1].dependsOn[0]' },
      { code: 'E_REF_NOT_FOUND', ...pos(text, 'when:'), path: 'spec.phases[2].when' },
    ]);
    expect(ds[0]?.suggestion).toBe('did you mean deploy-7b?');
    expect(ds[1]?.message).toBe('when names no phase validate-7c of this rollout');
  });

  it('reports a when condition that is not CEL', () => {
    const text = rollout(`    - name: a\n      when: "phases['a'].result =="\n`);
    const ds = checkRollouts(setup(text).inputs, setup(text).index);
    expect(brief(ds)).toEqual([{ code: 'E_SCHEMA', ...pos(text, 'when:'), path: 'spec.phases[0].when' }]);
  });

  it('reports deploy/validate models and routes that do not exist', () => {
    const text = rollout(`    - name: a
      deploy: { model: llama-3.1-7b }
      validate: { model: nope }
      route: { name: llama-routng }
`);
    const { inputs, index } = setup(text);
    const ds = checkRollouts(inputs, index);
    expect(ds.map((d) => [d.code, d.path, d.suggestion])).toEqual([
      ['E_REF_NOT_FOUND', 'spec.phases[0].deploy.model', 'did you mean llama-3.1-8b?'],
      ['E_REF_NOT_FOUND', 'spec.phases[0].validate.model', undefined],
      ['E_REF_NOT_FOUND', 'spec.phases[0].route.name', 'did you mean llama-routing?'],
    ]);
    expect(ds[0]?.line).toBe(pos(text, 'deploy: {').line);
  });

  it('reports route weights that name no backend of the route', () => {
    const text = rollout(`    - name: a
      route:
        name: llama-routing
        weights:
          llama-3.1-8b: 50
          llama-3.1-70: 50
`);
    const { inputs, index } = setup(text);
    const ds = checkRollouts(inputs, index);
    expect(brief(ds)).toEqual([{ code: 'E_REF_NOT_FOUND', ...pos(text, 'llama-3.1-70:'), path: 'spec.phases[0].route.weights["llama-3.1-70"]' }]);
    expect(ds[0]?.suggestion).toBe('did you mean llama-3.1-8b?');
  });

  it('reports duplicate phase names and skips the cycle check then', () => {
    const text = rollout(`    - name: a\n    - name: a\n`);
    const ds = checkRollouts(setup(text).inputs, setup(text).index);
    expect(brief(ds)).toEqual([{ code: 'E_DUPLICATE_NAME', ...pos(text, 'name: a', 1), path: 'spec.phases[1].name' }]);
  });

  it('extracts phase references from when', () => {
    expect(phasesReferenced(`phases['a-1'].result == 'x' && phases["b"].ok && phases.c_d.done && parameters.phases == 1`)).toEqual(['a-1', 'b', 'c_d']);
  });
});
