import { describe, expect, it } from 'vitest';
import { RbacEnforcer } from './enforcer.ts';
import { globMatch, parseLines, projectLines, roleClosure } from './policy-lines.ts';

describe('globMatch (Argo CD semantics)', () => {
  it('lets * span slashes and treats regex metacharacters literally', () => {
    expect(globMatch('llm-models/development/app', 'llm-models/*')).toBe(true);
    expect(globMatch('llm-models/development/app', 'llm-models/development/*')).toBe(true);
    expect(globMatch('llm-models/production/app', 'llm-models/development/*')).toBe(false);
    expect(globMatch('other/development/app', 'llm-models/*')).toBe(false);
    expect(globMatch('llm-modelsX', 'llm-models')).toBe(false);
    expect(globMatch('a.b', 'a.b')).toBe(true);
    expect(globMatch('axb', 'a.b')).toBe(false);
    expect(globMatch('a(b', 'a(*')).toBe(true);
    expect(globMatch('abc', 'a?c')).toBe(true);
  });
});

describe('parseLines / projectLines', () => {
  it('parses seed 000 lines and refuses malformed ones with their index', () => {
    const r = parseLines(['p, proj:llm-models:ml-engineers, applications, sync, llm-models/development/*, allow', 'g, ml-engineers, proj:llm-models:ml-engineers', 'p, a, b', 'x, y, z', 'p, a, b, c, d, maybe']);
    expect(r.policies).toHaveLength(1);
    expect(r.groupings).toEqual([{ member: 'ml-engineers', role: 'proj:llm-models:ml-engineers' }]);
    expect(r.issues.map((i) => i.path)).toEqual([[2], [3], [4]]);
  });

  it('refuses a project role that grants another subject or another project', () => {
    const { issues } = projectLines('llm-models', [
      { name: 'evil', policies: ['p, role:admin, *, *, *, allow', 'p, proj:llm-models:evil, applications, get, other/*, allow'], groups: [] },
    ]);
    expect(issues.map((i) => i.message)).toEqual([expect.stringContaining('subject must be proj:llm-models:evil'), expect.stringContaining('object must be in project llm-models')]);
  });

  it('computes the transitive role closure', () => {
    expect([...roleClosure(['alice', 'devs'], [{ member: 'devs', role: 'r1' }, { member: 'r1', role: 'r2' }])].sort()).toEqual(['alice', 'devs', 'r1', 'r2']);
  });
});

describe('RbacEnforcer', () => {
  it('deny wins over allow, also across two groups of the same user', async () => {
    const e = await RbacEnforcer.create([
      'p, proj:p:a, applications, *, p/*, allow',
      'p, proj:p:b, applications, delete, p/production/*, deny',
      'g, team-a, proj:p:a',
      'g, team-b, proj:p:b',
    ]);
    expect(e.enforce('u', ['team-a'], 'applications', 'delete', 'p/production/x')).toBe(true);
    expect(e.enforce('u', ['team-a', 'team-b'], 'applications', 'delete', 'p/production/x')).toBe(false);
    expect(e.enforce('u', ['team-a', 'team-b'], 'applications', 'sync', 'p/production/x')).toBe(true);
  });

  it('has built-in role:admin and role:readonly, and nothing is allowed by default', async () => {
    const e = await RbacEnforcer.create(['g, alice, role:admin', 'g, bob, role:readonly']);
    expect(e.enforce('alice', [], 'keys', 'create', '*')).toBe(true);
    expect(e.enforce('bob', [], 'keys', 'get', 'anything')).toBe(true);
    expect(e.enforce('bob', [], 'keys', 'create', 'anything')).toBe(false);
    expect(e.enforce('carol', [], 'applications', 'get', 'p/x')).toBe(false);
  });

  it('a subject containing the separator cannot smuggle extra roles', async () => {
    const e = await RbacEnforcer.create(['g, alice, role:admin']);
    expect(e.enforce('mallory\u0000role:admin', [], 'keys', 'create', '*')).toBe(false);
  });
});
