import { describe, expect, it } from 'vitest';
import { brief, pos } from '../semantics/test-helpers.ts';
import { loadResources } from '../testing.ts';
import { checkPolicies, compilePolicies } from './evaluate.ts';

const policy = (spec: string, name = 'p'): string => `apiVersion: ployd.ai/v1
kind: Policy
metadata:
  name: ${name}
spec:
${spec}`;

const MODEL = (name: string, replicas: number, extra = ''): string => `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: ${name}
spec:
  model: { framework: vllm }
  replicas: ${replicas}
${extra}`;

describe('CEL policies', () => {
  const MAX3 = policy(`  match: { kinds: [ModelDeployment] }
  validations:
    - expression: "object.spec.replicas <= 3"
      message: at most 3 replicas
  action: deny
`);

  it('denies a resource whose expression is false, at the resource, with the message', () => {
    const text = `${MAX3}---\n${MODEL('small', 2)}---\n${MODEL('big', 5)}`;
    const inputs = loadResources(text, { file: 'p.yaml' });
    const ds = checkPolicies(inputs);
    expect(brief(ds)).toEqual([{ code: 'E_POLICY_DENY', ...pos(text, 'apiVersion', 2) }]);
    expect(ds[0]).toMatchObject({ severity: 'error', message: 'at most 3 replicas (policy p)', resource: 'ModelDeployment/-/big', file: 'p.yaml' });
  });

  it('warns instead with action warn', () => {
    const text = `${MAX3.replace('action: deny', 'action: warn')}---\n${MODEL('big', 5)}`;
    const ds = checkPolicies(loadResources(text));
    expect(ds.map((d) => [d.severity, d.code])).toEqual([['warning', 'W_POLICY_WARN']]);
  });

  it('treats JSON integers as CEL ints (arithmetic with int literals works)', () => {
    const text = `${policy(`  match: { kinds: [ModelDeployment] }\n  validations:\n    - expression: "object.spec.replicas + 1 == 6 && size(object.metadata.name) == 3"\n`)}---\n${MODEL('big', 5)}`;
    expect(checkPolicies(loadResources(text))).toEqual([]);
  });

  it('matches by kind, apiGroup, environment and name glob', () => {
    const p = policy(`  match:
    kinds: [Deployment]
    apiGroups: [apps]
    environments: [production]
    names: ["web-*"]
  validations:
    - expression: "false"
      message: nope
`);
    const dep = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec: {}\n`;
    const prod = loadResources(`${p}---\n${dep('web-1')}---\n${dep('api-1')}`, { environment: 'production' });
    expect(checkPolicies(prod).map((d) => d.resource)).toEqual(['Deployment/-/web-1']);
    const dev = loadResources(`${p}---\n${dep('web-1')}`, { environment: 'dev' });
    expect(checkPolicies(dev)).toEqual([]);
    const wrongGroup = loadResources(`${p.replace('[apps]', '[batch]')}---\n${dep('web-1')}`, { environment: 'production' });
    expect(checkPolicies(wrongGroup)).toEqual([]);
  });

  it('matches a converted kind by its original kind too', () => {
    const p = policy(`  match: { kinds: [LLMDeployment] }\n  validations:\n    - expression: "object.spec.replicas <= 2"\n      message: too many\n`);
    const llmd = `apiVersion: inference.llm-d.io/v1alpha1
kind: LLMDeployment
metadata:
  name: llama
spec:
  model: { name: llama, source: { modelUri: s3://m } }
  replicas: 5
`;
    expect(checkPolicies(loadResources(`${p}---\n${llmd}`)).map((d) => d.code)).toEqual(['E_POLICY_DENY']);
  });

  it('sees environment and lazily evaluated variables', () => {
    const p = policy(`  match: { kinds: [ModelDeployment] }
  variables:
    - name: limit
      expression: "environment == 'production' ? 10 : 2"
    - name: broken
      expression: "object.spec.nothing.here"
  validations:
    - expression: "object.spec.replicas <= variables.limit"
      message: over the environment's replica limit
`);
    const text = `${p}---\n${MODEL('m', 5)}`;
    expect(checkPolicies(loadResources(text, { environment: 'production' }))).toEqual([]);
    expect(checkPolicies(loadResources(text, { environment: 'dev' })).map((d) => d.message)).toEqual(["over the environment's replica limit (policy p)"]);
  });

  it('reports an expression that does not compile at the expression line, once', () => {
    const p = policy(`  validations:
    - expression: "object.spec.replicas >"
    - expression: "nope == 1"
    - expression: "has(object.spec)"
`);
    const text = `${p}---\n${MODEL('a', 1)}---\n${MODEL('b', 1)}`;
    const ds = checkPolicies(loadResources(text));
    expect(brief(ds)).toEqual([
      { code: 'E_POLICY_INVALID', ...pos(text, 'expression: "object.spec.replicas >"'), path: 'spec.validations[0].expression' },
      { code: 'E_POLICY_INVALID', ...pos(text, 'expression: "nope'), path: 'spec.validations[1].expression' },
    ]);
    expect(ds[0]?.message).toMatch(/^expression does not compile: /);
    expect(ds[1]?.message).toContain('Unknown variable: nope');
  });

  it('reports a variable that does not compile once and skips the validations that use it', () => {
    const p = policy(`  match: { kinds: [ModelDeployment] }
  variables:
    - name: limit
      expression: "3 +"
    - name: doubled
      expression: "variables.limit * 2"
  validations:
    - expression: "object.spec.replicas <= variables.doubled"
    - expression: "object.spec.replicas <= 1"
      message: at most one
`);
    const text = `${p}---\n${MODEL('m', 2)}`;
    const ds = checkPolicies(loadResources(text));
    expect(brief(ds)).toEqual([
      { code: 'E_POLICY_INVALID', ...pos(text, 'expression: "3 +"'), path: 'spec.variables[0].expression' },
      { code: 'E_POLICY_DENY', ...pos(text, 'apiVersion', 1) },
    ]);
    expect(ds[0]?.message).toMatch(/^variable limit does not compile: /);
  });

  it('reports an expression that is statically not bool', () => {
    const p = policy(`  validations:\n    - expression: "size(object.metadata.name)"\n`);
    const ds = checkPolicies(loadResources(p));
    expect(ds.map((d) => [d.code, d.message])).toEqual([['E_POLICY_INVALID', 'expression must evaluate to bool, not int']]);
  });

  it('treats a runtime error as a violation that names the error (failurePolicy Fail)', () => {
    const p = policy(`  match: { kinds: [ModelDeployment] }
  validations:
    - expression: "object.spec.scaling.maxReplicas <= 4"
      message: at most 4 replicas when scaling
`);
    const text = `${p}---\n${MODEL('m', 1)}`;
    const ds = checkPolicies(loadResources(text));
    expect(brief(ds)).toEqual([{ code: 'E_POLICY_INVALID', ...pos(text, 'apiVersion', 1) }]);
    expect(ds[0]?.severity).toBe('error');
    expect(ds[0]?.message).toContain('errored on this resource: No such key: scaling');
    expect(ds[0]?.suggestion).toContain('has()');
  });

  it('reports a dyn result that is not bool at runtime', () => {
    const p = policy(`  match: { kinds: [ModelDeployment] }\n  validations:\n    - expression: "object.spec.replicas"\n`);
    const ds = checkPolicies(loadResources(`${p}---\n${MODEL('m', 1)}`));
    expect(ds.map((d) => [d.code, d.message])).toEqual([['E_POLICY_INVALID', 'policy p validations[0] evaluated to int, not bool']]);
  });

  it('uses "failed expression" when a validation has no message', () => {
    const p = policy(`  match: { kinds: [ModelDeployment] }\n  validations:\n    - expression: "object.spec.replicas < 1"\n`);
    expect(checkPolicies(loadResources(`${p}---\n${MODEL('m', 1)}`))[0]?.message).toBe('failed expression: object.spec.replicas < 1 (policy p)');
  });

  it('applies a policy of one environment only to resources of that environment', () => {
    const prodPolicy = loadResources(policy(`  validations:\n    - expression: "false"\n`), { environment: 'production' });
    const devModel = loadResources(MODEL('m', 1), { environment: 'dev' });
    const prodModel = loadResources(MODEL('m', 1), { environment: 'production' });
    expect(checkPolicies([...prodPolicy, ...devModel])).toHaveLength(1); // only the policy itself
    expect(checkPolicies([...prodPolicy, ...prodModel])).toHaveLength(2);
  });

  it('compiles an expression shared by several policies once', () => {
    const a = policy(`  validations:\n    - expression: "object.kind != 'X'"\n`, 'a');
    const b = policy(`  validations:\n    - expression: "object.kind != 'X'"\n`, 'b');
    const { policies } = compilePolicies(loadResources(`${a}---\n${b}`), {});
    expect(policies[0]?.validations[0]?.run).toBe(policies[1]?.validations[0]?.run);
  });
});
