import { describe, expect, it } from 'vitest';
import { mergeSchemaFor } from './merge-keys.ts';
import { applyStrategicMerge } from './strategic-merge.ts';

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> | null {
  const t = structuredClone(target);
  return applyStrategicMerge(t, patch, mergeSchemaFor(t)) ? t : null;
}

const deployment = (containers: unknown[]): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { template: { spec: { containers } } },
});

describe('strategic merge', () => {
  it('merges containers by name, patch elements first (kyaml order)', () => {
    const out = merge(deployment([{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }]), {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'c:1' }, { name: 'b', image: 'b:2' }] } } },
    });
    expect((out?.['spec'] as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([
      { name: 'c', image: 'c:1' },
      { name: 'b', image: 'b:2' },
      { name: 'a', image: 'a:1' },
    ]);
  });

  it('merges env by name and ports by containerPort', () => {
    const out = merge(deployment([{ name: 'a', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] }]), {
      spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] }] } } },
    });
    const c = (out?.['spec'] as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0];
    expect(c?.['env']).toEqual([{ name: 'X', value: '2' }]);
    expect(c?.['ports']).toEqual([{ containerPort: 80, name: 'http' }]);
  });

  it('honours $patch: delete on list elements and maps, $patch: replace, and null', () => {
    const out = merge(
      { ...deployment([{ name: 'a' }, { name: 'b' }]), metadata: { name: 'd', labels: { x: '1', y: '2' } } },
      {
        metadata: { labels: { x: null } },
        spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }], nodeSelector: { $patch: 'replace', k: 'v' } } } },
      },
    );
    expect(out?.['metadata']).toEqual({ name: 'd', labels: { y: '2' } });
    expect((out?.['spec'] as { template: { spec: unknown } }).template.spec).toEqual({ containers: [{ name: 'b' }], nodeSelector: { k: 'v' } });
  });

  it('replaces lists of kinds without a schema (CRDs)', () => {
    const crd = { apiVersion: 'inference.llm-d.io/v1alpha1', kind: 'LLMDeployment', spec: { items: [{ name: 'a' }, { name: 'b' }] } };
    expect(merge(crd, { spec: { items: [{ name: 'c' }] } })?.['spec']).toEqual({ items: [{ name: 'c' }] });
  });

  it('deletes the whole object with a top-level $patch: delete', () => {
    expect(merge(deployment([]), { $patch: 'delete' })).toBeNull();
  });
});
