import { describe, expect, it } from 'vitest';
import type { Resource } from './resource.ts';
import { matchesLabelSelector, parseLabelSelector, selects } from './targets.ts';

const res = (obj: Record<string, unknown>, prevNames: string[] = []): Resource => ({
  obj,
  origin: { file: 'f.yaml', line: 1, column: 1 },
  prevIds: prevNames.map((name) => ({ group: 'apps', version: 'v1', kind: 'Deployment', name, namespace: '' })),
  needsHash: false,
});

const dep = res(
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'p-web', labels: { tier: 'gpu', size: 'l' }, annotations: { a: 'b' } } },
  ['web'],
);

describe('patch targets', () => {
  it('parses label selectors', () => {
    expect(parseLabelSelector('a=b, c!=d,e in (x, y),!f,g')).toEqual([
      { op: 'in', key: 'a', values: ['b'] },
      { op: 'notin', key: 'c', values: ['d'] },
      { op: 'in', key: 'e', values: ['x', 'y'] },
      { op: '!exists', key: 'f' },
      { op: 'exists', key: 'g' },
    ]);
    expect(matchesLabelSelector({ a: 'b', g: '1' }, 'a=b,!f,g')).toBe(true);
    expect(matchesLabelSelector({ a: 'b' }, 'a notin (b)')).toBe(false);
  });

  it('matches names as anchored regexes against original and current names', () => {
    expect(selects({ name: 'web' }, dep)).toBe(true);
    expect(selects({ name: 'p-web' }, dep)).toBe(true);
    expect(selects({ name: 'we' }, dep)).toBe(false);
    expect(selects({ name: 'p-.*' }, dep)).toBe(true);
  });

  it('matches gvk, default namespace, labels and annotations', () => {
    expect(selects({ group: 'apps', version: 'v1', kind: 'Deployment' }, dep)).toBe(true);
    expect(selects({ group: 'batch' }, dep)).toBe(false);
    expect(selects({ namespace: 'default' }, dep)).toBe(true);
    expect(selects({ namespace: 'prod' }, dep)).toBe(false);
    expect(selects({ labelSelector: 'tier=gpu,size in (l,xl)' }, dep)).toBe(true);
    expect(selects({ annotationSelector: 'a=c' }, dep)).toBe(false);
  });
});
