import { describe, expect, it } from 'vitest';
import { schemaDiagnostics } from './schema.ts';
import { loadYaml } from './testing.ts';
import { parseResource } from '../resources/index.ts';

describe('schemaDiagnostics', () => {
  it('locates a wrong type at the field and keeps the code', () => {
    const text = `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: m
spec:
  model:
    framework: vllm
  scaling:
    minReplicas: "two"
`;
    const { resources, unparsed } = loadYaml(text, { file: 'models/m.yaml' });
    expect(resources).toHaveLength(0);
    const doc = unparsed[0];
    if (!doc) throw new Error('expected an unparsed document');
    const ds = schemaDiagnostics(doc.issues, doc);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      severity: 'error',
      code: 'E_SCHEMA',
      file: 'models/m.yaml',
      line: 9,
      column: 5,
      path: 'spec.scaling.minReplicas',
      resource: 'ModelDeployment/-/m',
    });
  });

  it('reports an unknown field as a warning with its suggestion', () => {
    const text = `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: m
spec:
  model: {framework: vllm}
  scaling:
    minReplica: 1
`;
    const { resources } = loadYaml(text, { file: 'm.yaml' });
    const r = resources[0];
    if (!r?.issues) throw new Error('expected issues');
    const ds = schemaDiagnostics(r.issues, { file: r.file, locate: r.locate });
    expect(ds).toEqual([
      {
        severity: 'warning',
        code: 'W_UNKNOWN_FIELD',
        message: 'unknown field minReplica',
        file: 'm.yaml',
        line: 8,
        column: 5,
        path: 'spec.scaling.minReplica',
        suggestion: 'did you mean minReplicas?',
      },
    ]);
  });

  it('reports a missing required field at the nearest written ancestor', () => {
    const text = `apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: r
spec:
  rules:
    - name: a
`;
    const { unparsed } = loadYaml(text, { file: 'r.yaml' });
    const doc = unparsed[0];
    if (!doc) throw new Error('expected an unparsed document');
    const ds = schemaDiagnostics(doc.issues, doc);
    expect(ds[0]).toMatchObject({ code: 'E_MISSING_FIELD', path: 'spec.rules[0].backends', line: 7, column: 7 });
  });

  it('formats odd keys in brackets and works with a bare locator', () => {
    const { issues } = parseResource({ apiVersion: 'ployd.ai/v1', kind: 'Nope', metadata: { name: 'x' } });
    const ds = schemaDiagnostics(issues, { file: 'x.yaml', locate: () => ({ line: 3, column: 1 }) });
    expect(ds[0]).toMatchObject({ code: 'E_UNKNOWN_KIND', file: 'x.yaml', line: 3, column: 1, path: 'kind' });
  });
});
