import { describe, expect, it } from 'vitest';
import { checkApplications, normaliseRepoURL } from './application.ts';
import { brief, pos, setup } from './test-helpers.ts';

const app = (name: string, spec: string): string => `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${name}
spec:
${spec}`;

const exists = (paths: string[]) => (p: string) => paths.includes(p);

describe('Application', () => {
  it('accepts existing paths and dependencies', () => {
    const text = `${app('a', '  source: { path: apps/a }\n')}---\n${app('b', '  source: { path: ./apps/b/ }\n  dependsOn: [{ name: a }]\n')}`;
    const { inputs, index } = setup(text);
    expect(checkApplications(inputs, index, { pathExists: exists(['apps/a', 'apps/b']) })).toEqual([]);
  });

  it('reports a source path that does not exist, and one that leaves the repo', () => {
    const text = `${app('a', '  source:\n    path: apps/missing\n')}---\n${app('b', '  source:\n    path: ../outside\n')}`;
    const { inputs, index } = setup(text);
    const ds = checkApplications(inputs, index, { pathExists: exists(['apps/a']) });
    expect(brief(ds)).toEqual([
      { code: 'E_FILE_NOT_FOUND', ...pos(text, 'path: apps/missing'), path: 'spec.source.path' },
      { code: 'E_PATH_ESCAPE', ...pos(text, 'path: ../outside'), path: 'spec.source.path' },
    ]);
  });

  it('skips the path check without pathExists, and for another repo', () => {
    const text = app('a', '  source:\n    repoURL: https://github.com/org/other\n    path: apps/missing\n');
    const { inputs, index } = setup(text);
    expect(checkApplications(inputs, index, {})).toEqual([]);
    expect(checkApplications(inputs, index, { pathExists: () => false, repoURL: 'git@github.com:org/config.git' })).toEqual([]);
    expect(checkApplications(inputs, index, { pathExists: () => false, repoURL: 'https://github.com/org/other.git' })).toHaveLength(1);
  });

  it('reports dependsOn naming no application, with a suggestion', () => {
    const text = `${app('llama-foundation', '  source: { path: a }\n')}---\n${app('b', '  source: { path: b }\n  dependsOn:\n    - name: llama-fundation\n')}`;
    const { inputs, index } = setup(text);
    const ds = checkApplications(inputs, index, {});
    expect(brief(ds)).toEqual([{ code: 'E_REF_NOT_FOUND', ...pos(text, 'name: llama-fundation'), path: 'spec.dependsOn[0].name' }]);
    expect(ds[0]?.suggestion).toBe('did you mean llama-foundation?');
  });

  it('reports a dependency cycle once, and a self-dependency', () => {
    const text = `${app('a', '  source: { path: a }\n  dependsOn:\n    - name: b\n')}---\n${app('b', '  source: { path: b }\n  dependsOn:\n    - name: a\n')}---\n${app('c', '  source: { path: c }\n  dependsOn:\n    - name: c\n')}`;
    const { inputs, index } = setup(text);
    const ds = checkApplications(inputs, index, {});
    expect(ds.map((d) => [d.code, d.message, d.line])).toEqual([
      ['E_DEPENDENCY_CYCLE', 'application c depends on itself', pos(text, 'name: c', 1).line],
      ['E_DEPENDENCY_CYCLE', 'applications depend on each other in a cycle: a → b → a', pos(text, '- name: b').line],
    ]);
  });

  it('reports ignoreDifferences rules the controller does not implement, at the field', () => {
    const text = app('a', '  source: { path: a }\n  ignoreDifferences:\n    - kind: ModelDeployment\n      jsonPointers: [/spec/replicas]\n    - kind: GatewayRoute\n      jqPathExpressions: [.spec.models]\n');
    const { inputs, index } = setup(text);
    expect(brief(checkApplications(inputs, index, {}))).toEqual([
      { code: 'E_NOT_IMPLEMENTED_HERE', ...pos(text, 'jqPathExpressions'), path: 'spec.ignoreDifferences[1].jqPathExpressions' },
    ]);
  });

  it('checks the environment only when Environments are declared', () => {
    const text = app('a', '  source: { path: a }\n  environment: prodution\n');
    expect(checkApplications(setup(text).inputs, setup(text).index, {})).toEqual([]);
    const withEnvs = `apiVersion: ployd.ai/v1\nkind: Environment\nmetadata:\n  name: production\nspec: {}\n---\n${text}`;
    const { inputs, index } = setup(withEnvs);
    const ds = checkApplications(inputs, index, {});
    expect(brief(ds)).toEqual([{ code: 'E_REF_NOT_FOUND', ...pos(withEnvs, 'environment: prodution'), path: 'spec.environment' }]);
    expect(ds[0]?.suggestion).toBe('did you mean production?');
  });

  it('maps Argo CD Application fields back as written (dependencies, source.path)', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: llama-3.1-70b-scaleup
  namespace: argocd
spec:
  project: llm-models
  source:
    repoURL: https://github.com/your-org/llm-gitops-config
    targetRevision: main
    path: applications/llama-3.1-70b/overlays/production
  destination:
    server: https://kubernetes.default.svc
    namespace: production
  dependencies:
  - name: llama-3.1-8b-foundation
    conditions:
    - status: Healthy
`;
    const { inputs, index } = setup(text);
    const ds = checkApplications(inputs, index, { pathExists: () => false, repoURL: 'https://github.com/your-org/llm-gitops-config' });
    expect(brief(ds)).toEqual([
      { code: 'E_REF_NOT_FOUND', ...pos(text, 'name: llama-3.1-8b-foundation'), path: 'spec.dependencies[0].name' },
      { code: 'E_FILE_NOT_FOUND', ...pos(text, 'path: applications'), path: 'spec.source.path' },
    ]);
  });

  it('normalises repo URLs', () => {
    expect(normaliseRepoURL('git@github.com:Org/Repo.git')).toBe(normaliseRepoURL('https://github.com/org/repo/'));
    expect(normaliseRepoURL('https://github.com/org/a')).not.toBe(normaliseRepoURL('https://github.com/org/b'));
  });
});
