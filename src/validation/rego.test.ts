import { describe, expect, it } from 'vitest';
import { checkRepoPaths } from './rego.ts';

describe('checkRepoPaths', () => {
  it('reports every .rego file at line 1 with the CEL advice', () => {
    const ds = checkRepoPaths(['policies/security/pod-security.rego', 'policies/pod-security.yaml', 'x/Other.REGO']);
    expect(ds.map((d) => [d.code, d.severity, d.file, d.line, d.column])).toEqual([
      ['E_REGO_UNSUPPORTED', 'error', 'policies/security/pod-security.rego', 1, 1],
      ['E_REGO_UNSUPPORTED', 'error', 'x/Other.REGO', 1, 1],
    ]);
    expect(ds[0]?.message).toContain('policies/security/pod-security.rego');
    expect(ds[0]?.suggestion).toContain('Policy with CEL');
  });

  it('is quiet without .rego files', () => {
    expect(checkRepoPaths(['a.yaml', 'rego.md', 'regopolicy.yaml'])).toEqual([]);
  });
});
