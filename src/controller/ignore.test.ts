import { describe, expect, it } from 'vitest';
import { parseResource, type Application } from '../resources/index.ts';
import { diffResources, type Json, type ResourceKey } from './diff.ts';
import { ignoreRulesOf } from './ignore.ts';

const key = (kind: string, name: string, namespace = 'dev'): ResourceKey => ({ kind, namespace, name });
const entry = (kind: string, name: string, value: Json, namespace = 'dev', group = 'ployd.ai') =>
  [`${kind}/${namespace}/${name}`, { key: key(kind, name, namespace), value, group }] as const;

function app(apiVersion: string, ignoreDifferences: unknown[]): Application {
  const raw =
    apiVersion === 'ployd.ai/v1'
      ? { apiVersion, kind: 'Application', metadata: { name: 'a' }, spec: { source: { path: 'x' }, environment: 'dev', ignoreDifferences } }
      : { apiVersion, kind: 'Application', metadata: { name: 'a' }, spec: { source: { repoURL: 'r', path: 'x' }, destination: { namespace: 'dev' }, ignoreDifferences } };
  const { parsed, issues } = parseResource(raw);
  if (!parsed) throw new Error(JSON.stringify(issues));
  return parsed.resource as Application;
}

/** Whether the rules of `a` make a replicas drift of `d` disappear. */
function ignores(a: Application, d: readonly [string, { key: ResourceKey; value: Json; group: string }]): boolean {
  const live = [d[0], { key: d[1].key, value: { spec: { replicas: 9 } } }] as const;
  return diffResources(new Map([d]), new Map([live]), ignoreRulesOf(a).rules)[0]?.state === 'unchanged';
}

describe('ignoreDifferences with Argo CD matching', () => {
  const md = entry('ModelDeployment', 'chat', { spec: { replicas: 1 } });

  it('matches group and kind as globs, name and namespace exactly', () => {
    expect(ignores(app('ployd.ai/v1', [{ group: 'ployd.ai', kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] }]), md)).toBe(true);
    expect(ignores(app('ployd.ai/v1', [{ group: '*', kind: 'Model*', jsonPointers: ['/spec/replicas'] }]), md)).toBe(true);
    expect(ignores(app('ployd.ai/v1', [{ group: 'apps', kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] }]), md)).toBe(false);
    expect(ignores(app('ployd.ai/v1', [{ kind: 'GatewayRoute', jsonPointers: ['/spec/replicas'] }]), md)).toBe(false);
    expect(ignores(app('ployd.ai/v1', [{ kind: 'ModelDeployment', name: 'chat', jsonPointers: ['/spec/replicas'] }]), md)).toBe(true);
    expect(ignores(app('ployd.ai/v1', [{ kind: 'ModelDeployment', name: 'other', jsonPointers: ['/spec/replicas'] }]), md)).toBe(false);
    expect(ignores(app('ployd.ai/v1', [{ kind: 'ModelDeployment', namespace: 'dev', jsonPointers: ['/spec/replicas'] }]), md)).toBe(true);
    expect(ignores(app('ployd.ai/v1', [{ kind: 'ModelDeployment', namespace: 'staging', jsonPointers: ['/spec/replicas'] }]), md)).toBe(false);
  });

  it('an absent group is ployd.ai on a ployd Application and the core group on an Argo CD one', () => {
    expect(ignores(app('ployd.ai/v1', [{ kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] }]), md)).toBe(true);
    const argoNoGroup = app('argoproj.io/v1alpha1', [{ kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] }]);
    expect(argoNoGroup.spec.ignoreDifferences[0]?.group).toBe('');
    expect(ignores(argoNoGroup, md)).toBe(false);
    expect(ignores(argoNoGroup, entry('ModelDeployment', 'chat', { spec: { replicas: 1 } }, 'dev', ''))).toBe(true);
    expect(ignores(app('argoproj.io/v1alpha1', [{ group: 'ployd.ai', kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] }]), md)).toBe(true);
  });

  it('refuses jqPathExpressions and managedFieldsManagers by field, and keeps such Argo CD rules through conversion', () => {
    const a = app('argoproj.io/v1alpha1', [
      { group: 'ployd.ai', kind: 'ModelDeployment', jqPathExpressions: ['.spec.replicas'] },
      { group: 'ployd.ai', kind: 'GatewayRoute', managedFieldsManagers: ['kube-controller-manager'] },
    ]);
    const { diagnostics } = ignoreRulesOf(a);
    expect(diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual([
      ['E_NOT_IMPLEMENTED_HERE', 'error', 'spec.ignoreDifferences[0].jqPathExpressions'],
      ['E_NOT_IMPLEMENTED_HERE', 'error', 'spec.ignoreDifferences[1].managedFieldsManagers'],
    ]);
    expect(ignoreRulesOf(app('ployd.ai/v1', [{ kind: 'ModelDeployment', jsonPointers: ['/spec/replicas'] }])).diagnostics).toEqual([]);
  });
});
