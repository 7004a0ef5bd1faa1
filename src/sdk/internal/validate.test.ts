import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PloydError } from '../../errors/index.ts';
import { canonicalJson, specHash } from './hash.ts';
import { parseInput, parseManifest } from './validate.ts';

function caught(fn: () => unknown): PloydError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PloydError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

describe('parseInput', () => {
  it('turns zod issues into E_VALIDATION naming the field path', () => {
    const err = caught(() => parseInput(z.strictObject({ a: z.object({ b: z.array(z.number()) }) }), { a: { b: [1, 'x'] } }, 'thing'));
    expect(err.code).toBe('E_VALIDATION');
    expect(err.message).toBe('invalid thing: a.b[1]: Invalid input: expected number, received string');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: ['a', 'b', 1] })]);
  });
});

describe('parseManifest', () => {
  it('refuses unknown fields with a suggestion, wrong kinds and non-objects', () => {
    const typo = caught(() => parseManifest({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: {}, replicaz: 1 } }, 'ModelDeployment'));
    expect(typo.message).toContain('replicaz');
    expect(caught(() => parseManifest({ apiVersion: 'ployd.ai/v1', kind: 'Policy', metadata: { name: 'p' }, spec: { validations: [{ expression: 'true' }] } }, 'ModelDeployment')).message).toContain('expected kind ModelDeployment');
    expect(caught(() => parseManifest(null, 'GatewayRoute')).code).toBe('E_VALIDATION');
  });
});

describe('specHash', () => {
  it('ignores key order but not values', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
    expect(specHash({ a: 1, b: 2 })).toBe(specHash({ b: 2, a: 1 }));
    expect(specHash({ a: 1 })).not.toBe(specHash({ a: 2 }));
  });
});
