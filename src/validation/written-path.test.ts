import { describe, expect, it } from 'vitest';
import { loadResources } from './testing.ts';
import { formatPath, valueAt, writtenPath } from './written-path.ts';

describe('writtenPath', () => {
  it('maps converted LLMDeployment paths back to the fields as written', () => {
    const [r] = loadResources(`apiVersion: inference.llm-d.io/v1alpha1
kind: LLMDeployment
metadata: { name: m }
spec:
  model: { name: m, source: { modelUri: s3://m }, parallelism: { tensor: 2 } }
  resources:
    requests: { nvidia.com/gpu: "1" }
  autoscaling: { minReplicas: 1, maxReplicas: 2 }
`);
    if (!r) throw new Error('no resource');
    expect(writtenPath(r.parsed, ['spec', 'scaling', 'minReplicas'])).toEqual(['spec', 'autoscaling', 'minReplicas']);
    expect(writtenPath(r.parsed, ['spec', 'resources', 'gpu', 'count'])).toEqual(['spec', 'resources', 'requests', 'nvidia.com/gpu']);
    expect(writtenPath(r.parsed, ['spec', 'model', 'vllm', 'tensor_parallel_size'])).toEqual(['spec', 'model', 'parallelism', 'tensor']);
    expect(writtenPath(r.parsed, ['spec', 'model', 'path'])).toEqual(['spec', 'model', 'source', 'modelUri']);
    expect(writtenPath(r.parsed, ['spec', 'replicas'])).toEqual(['spec', 'replicas']);
    expect(r.locate(writtenPath(r.parsed, ['spec', 'resources', 'gpu', 'count']))).toEqual({ line: 7, column: 17 });
  });

  it('leaves native kinds alone', () => {
    const [r] = loadResources('apiVersion: ployd.ai/v1\nkind: Environment\nmetadata: { name: dev }\nspec: {}\n');
    if (!r) throw new Error('no resource');
    expect(writtenPath(r.parsed, ['spec', 'scaling'])).toEqual(['spec', 'scaling']);
  });

  it('formats paths and reads values', () => {
    expect(formatPath(['spec', 'models', 0, 'weight'])).toBe('spec.models[0].weight');
    expect(formatPath(['spec', 'resources', 'limits', 'nvidia.com/gpu'])).toBe('spec.resources.limits["nvidia.com/gpu"]');
    expect(formatPath([])).toBe('');
    expect(valueAt({ a: [{ b: 1 }] }, ['a', 0, 'b'])).toBe(1);
    expect(valueAt({ a: 1 }, ['a', 'b'])).toBeUndefined();
  });
});
