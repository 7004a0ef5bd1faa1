import { describe, expect, it } from 'vitest';
import { encodeHash, hashInput, kustomizeHash } from './hash.ts';

describe('kustomize hash suffix', () => {
  it('re-spells the first ten hex digits', () => {
    expect(encodeHash('0123456789abcdef')).toBe('gh2k456789');
    expect(encodeHash('aeaeaeaeae')).toBe('mtmtmtmtmt');
  });

  it('matches kubectl kustomize for a literal ConfigMap', () => {
    // `configMapGenerator: [{name: cfg, literals: [a=1]}]` → cfg-h29d89cmmt (kubectl v1.32, kustomize v5.5)
    expect(kustomizeHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } })).toBe('h29d89cmmt');
  });

  it('ignores the name, so prefixes do not change the suffix', () => {
    const a = kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
    const b = kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'prefix-a' }, data: { k: 'v' } });
    expect(a).toBe(b);
  });

  it('matches kubectl kustomize for three literals', () => {
    const obj = { kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', b: 'hello world', c: 'quoted' } };
    expect(kustomizeHash(obj)).toBe('f248g8g448');
  });

  it('hashes Secrets with their type and Go JSON escaping', () => {
    const input = hashInput({ kind: 'Secret', type: 'Opaque', metadata: { name: 's' }, data: { k: '<&>' } });
    expect(input).toBe('{"data":{"k":"\\u003c\\u0026\\u003e"},"kind":"Secret","name":"","type":"Opaque"}');
  });
});
