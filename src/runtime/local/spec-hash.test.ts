import { describe, expect, it } from 'vitest';
import { ModelDeployment } from '../../resources/index.ts';
import { specHash } from './spec-hash.ts';

const md = (spec: Record<string, unknown>) =>
  ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: { framework: 'simulator' }, ...spec } });

describe('specHash', () => {
  it('ignores replica count and scaling: scaling never replaces running replicas', () => {
    expect(specHash(md({ replicas: 1 }))).toBe(specHash(md({ replicas: 5, scaling: { minReplicas: 1, maxReplicas: 9 } })));
  });
  it('changes with anything a replica is made from', () => {
    expect(specHash(md({ env: { A: '1' } }))).not.toBe(specHash(md({ env: { A: '2' } })));
    expect(specHash(md({ resources: { gpu: { count: 1 } } }))).not.toBe(specHash(md({})));
  });
  it('does not depend on key order', () => {
    expect(specHash(md({ env: { A: '1', B: '2' } }))).toBe(specHash(md({ env: { B: '2', A: '1' } })));
  });
});
