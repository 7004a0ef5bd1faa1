import { describe, expect, it } from 'vitest';
import { checkPolicyLine, checkProjects } from './project.ts';
import { brief, pos, setup } from './test-helpers.ts';

const SEED_000 = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: llm-models
  namespace: argocd
spec:
  description: "LLM Model Deployments"
  sourceRepos:
  - https://github.com/your-org/llm-gitops-config
  roles:
  - name: ml-engineers
    policies:
    - p, proj:llm-models:ml-engineers, applications, get, llm-models/*, allow
    - p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow
    - p, proj:llm-models:ml-engineers, applications, sync, llm-models/staging/*, allow
    groups:
    - ml-engineers
  - name: sre-team
    policies:
    - p, proj:llm-models:sre-team, applications, *, llm-models/*, allow
    groups:
    - sre-team
`;

describe('Project policy lines', () => {
  it('accepts seed 000 AppProject roles', () => {
    expect(checkProjects(setup(SEED_000).inputs)).toEqual([]);
  });

  it('reports a bad action at the policy line, with a suggestion', () => {
    const text = SEED_000.replace('applications, sync, llm-models/staging/*', 'applications, synk, llm-models/staging/*');
    const ds = checkProjects(setup(text).inputs);
    expect(brief(ds)).toEqual([{ code: 'E_RBAC_POLICY', ...pos(text, 'p, proj:llm-models:ml-engineers, applications, synk'), path: 'spec.roles[0].policies[2]' }]);
    expect(ds[0]?.suggestion).toBe('did you mean sync?');
  });

  it('checks each field the way Argo CD does', () => {
    const p = (line: string) => checkPolicyLine(line, 'proj', 'dev')?.message;
    expect(p('p, proj:proj:dev, applications, get, proj/*, allow')).toBeUndefined();
    expect(p('p, proj:proj:dev, applications, action/apps/Deployment/restart, proj/*, allow')).toBeUndefined();
    expect(p('p, proj:proj:dev, logs, get, proj/*, deny')).toBeUndefined();
    expect(p('p, proj:proj:dev, applications, get, proj/*')).toMatch(/has 5 fields/);
    expect(p('g, proj:proj:dev, applications, get, proj/*, allow')).toMatch(/starts with p/);
    expect(p('p, proj:other:dev, applications, get, proj/*, allow')).toBe('policy subject proj:other:dev must be proj:proj:dev');
    expect(p('p, proj:proj:dev, application, get, proj/*, allow')).toMatch(/unknown policy resource application/);
    expect(checkPolicyLine('p, proj:proj:dev, application, get, proj/*, allow', 'proj', 'dev')?.suggestion).toBe('did you mean applications?');
    expect(p('p, proj:proj:dev, applications, write, proj/*, allow')).toMatch(/unknown policy action write/);
    expect(p('p, proj:proj:dev, applications, get, other/*, allow')).toBe('policy object other/* must start with proj/');
    expect(p('p, proj:proj:dev, applications, get, proj/*, permit')).toBe('policy effect permit must be allow or deny');
  });
});
