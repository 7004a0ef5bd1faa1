import { describe, expect, it } from 'vitest';
import { applyJsonPatch, parsePointer, toJsonPatchOps, type JsonPatchOp } from './json-patch.ts';

const apply = (doc: unknown, ops: JsonPatchOp[]): unknown => applyJsonPatch(structuredClone(doc), ops);

describe('json patch (RFC 6902 as kustomize applies it)', () => {
  it('unescapes ~1 and ~0 in pointers', () => {
    expect(parsePointer('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
  });

  it('adds, appends with -, inserts at an index', () => {
    const doc = { list: [1, 3], m: {} };
    expect(
      apply(doc, [
        { op: 'add', path: '/list/1', value: 2 },
        { op: 'add', path: '/list/-', value: 4 },
        { op: 'add', path: '/m/nvidia.com~1gpu', value: '1' },
      ]),
    ).toEqual({ list: [1, 2, 3, 4], m: { 'nvidia.com/gpu': '1' } });
  });

  it('removes, replaces, moves, copies and tests', () => {
    const doc = { a: 1, b: { c: 2 }, l: ['x', 'y'] };
    expect(
      apply(doc, [
        { op: 'remove', path: '/l/0' },
        { op: 'replace', path: '/a', value: 10 },
        { op: 'move', from: '/b/c', path: '/moved' },
        { op: 'copy', from: '/a', path: '/copy' },
        { op: 'test', path: '/copy', value: 10 },
      ]),
    ).toEqual({ a: 10, b: {}, l: ['y'], moved: 2, copy: 10 });
  });

  it('lets replace create a missing key under an existing parent, like kustomize', () => {
    expect(apply({ data: {} }, [{ op: 'replace', path: '/data/x', value: 1 }])).toEqual({ data: { x: 1 } });
  });

  it('fails on a missing parent, a missing remove target, a failed test, a bad index', () => {
    expect(() => apply({}, [{ op: 'replace', path: '/a/b', value: 1 }])).toThrow(/missing path/);
    expect(() => apply({}, [{ op: 'add', path: '/a/b', value: 1 }])).toThrow(/missing path/);
    expect(() => apply({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(/missing/);
    expect(() => apply({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test/);
    expect(() => apply({ l: [] }, [{ op: 'add', path: '/l/3', value: 1 }])).toThrow(/out of bounds/);
  });

  it('validates operation shapes', () => {
    expect(() => toJsonPatchOps({})).toThrow();
    expect(() => toJsonPatchOps([{ op: 'jump', path: '/a' }])).toThrow(/unknown op/);
    expect(() => toJsonPatchOps([{ op: 'add', path: '/a' }])).toThrow(/no value/);
    expect(toJsonPatchOps([{ op: 'remove', path: '/a' }])).toHaveLength(1);
  });
});
