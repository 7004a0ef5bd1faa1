import { describe, expect, it } from 'vitest';
import { environmentOfPath, environmentsFromDirs, isIgnoredPath, isResourcePath } from './layout.ts';

describe('config repo layout', () => {
  it('finds environments in both seed layouts', () => {
    expect(environmentsFromDirs(['environments/dev', 'environments/staging/applications', 'shared/monitoring'])).toEqual(['dev', 'staging']);
    expect(environmentsFromDirs(['applications/llama/base', 'applications/llama/overlays/production', 'applications/x/overlays/development'])).toEqual([
      'development',
      'production',
    ]);
  });

  it('assigns paths to environments or to all', () => {
    const envs = new Set(['dev', 'staging', 'production']);
    expect(environmentOfPath('environments/dev/applications/model.yaml', envs)).toBe('dev');
    expect(environmentOfPath('shared/security/policy.yaml', envs)).toBeUndefined();
    expect(environmentOfPath('clusters/on-premise/cluster.yaml', envs)).toBeUndefined();
    expect(environmentOfPath('clusters/production/kustomization.yaml', envs)).toBe('production');
    expect(environmentOfPath('apps/x/overlays/staging/kustomization.yaml', envs)).toBe('staging');
    expect(environmentOfPath('policies/production/quota.yaml', envs)).toBe('production');
    // A file named like an environment is not a folder of it.
    expect(environmentOfPath('shared/production.yaml', envs)).toBeUndefined();
  });

  it('ignores .git and node_modules; dot folders hold no resources', () => {
    expect(isIgnoredPath('.git/config')).toBe(true);
    expect(isIgnoredPath('a/node_modules/b.yaml')).toBe(true);
    expect(isIgnoredPath('.github/workflows/ci.yml')).toBe(false);
    expect(isIgnoredPath('environments/dev/a.yaml')).toBe(false);
    expect(isResourcePath('.github/workflows/ci.yml')).toBe(false);
    expect(isResourcePath('environments/dev/.hidden.yaml')).toBe(false);
    expect(isResourcePath('environments/dev/a.yaml')).toBe(true);
  });
});
