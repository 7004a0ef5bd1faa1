import { describe, expect, it } from 'vitest';
import { checkModelDeployments } from './model-deployment.ts';
import { brief, MODEL, pos, setup } from './test-helpers.ts';

describe('ModelDeployment replica bounds', () => {
  it('accepts seed 001 deployment (tensor 2 on 2 GPUs, 1..5 replicas)', () => {
    const { inputs } = setup(
      MODEL(
        'llama-7b-chat-v2-1',
        `    vllm:
      tensor_parallel_size: 2
  resources:
    gpu: { count: 2, type: nvidia-tesla-v100 }
  scaling:
    minReplicas: 1
    maxReplicas: 5
`,
      ),
    );
    expect(checkModelDeployments(inputs)).toEqual([]);
  });

  it('reports replicas above maxReplicas at spec.replicas', () => {
    const text = MODEL('m', `  replicas: 7\n  scaling:\n    minReplicas: 1\n    maxReplicas: 5\n`);
    const { inputs } = setup(text);
    const ds = checkModelDeployments(inputs);
    expect(brief(ds)).toEqual([{ code: 'E_REPLICA_BOUNDS', ...pos(text, 'replicas: 7'), path: 'spec.replicas' }]);
    expect(ds[0]?.message).toBe('replicas 7 is outside minReplicas 1 .. maxReplicas 5');
  });

  it('reports replicas below minReplicas', () => {
    const text = MODEL('m', `  replicas: 1\n  scaling:\n    minReplicas: 2\n    maxReplicas: 10\n`);
    expect(brief(checkModelDeployments(setup(text).inputs))).toEqual([{ code: 'E_REPLICA_BOUNDS', ...pos(text, 'replicas: 1'), path: 'spec.replicas' }]);
  });

  it('reports minReplicas > maxReplicas at minReplicas, naming a defaulted max', () => {
    const text = MODEL('m', `  scaling:\n    minReplicas: 3\n`);
    const ds = checkModelDeployments(setup(text).inputs);
    expect(brief(ds)).toEqual([{ code: 'E_REPLICA_BOUNDS', ...pos(text, 'minReplicas'), path: 'spec.scaling.minReplicas' }]);
    expect(ds[0]?.message).toBe('minReplicas 3 is greater than maxReplicas 1 (default)');
  });

  it('does not bound replicas when autoscaling is disabled, nor without a scaling block', () => {
    expect(checkModelDeployments(setup(MODEL('m', `  replicas: 9\n  scaling:\n    enabled: false\n    maxReplicas: 2\n`)).inputs)).toEqual([]);
    expect(checkModelDeployments(setup(MODEL('m', `  replicas: 9\n`)).inputs)).toEqual([]);
  });

  it('locates LLMDeployment findings at the fields as written (autoscaling, parallelism)', () => {
    const text = `apiVersion: inference.llm-d.io/v1alpha1
kind: LLMDeployment
metadata:
  name: llama-3.1-70b
spec:
  model:
    name: llama-3.1-70b
    source:
      modelUri: s3://model-registry/llama-3.1-70b/v1.0.0
    framework: pytorch
    parallelism:
      tensor: 8
      pipeline: 1
  replicas: 1
  resources:
    limits:
      nvidia.com/gpu: "4"
  autoscaling:
    enabled: true
    minReplicas: 2
    maxReplicas: 4
`;
    const ds = checkModelDeployments(setup(text, { file: 'apps/70b/base/deployment.yaml' }).inputs);
    expect(brief(ds)).toEqual([
      { code: 'E_REPLICA_BOUNDS', ...pos(text, 'replicas: 1'), path: 'spec.replicas' },
      { code: 'E_TENSOR_PARALLEL', ...pos(text, 'tensor: 8'), path: 'spec.model.parallelism.tensor' },
    ]);
    expect(ds[1]?.message).toBe('tensor parallel size 8 exceeds the 4 GPU(s) of one replica');
    expect(ds[1]?.suggestion).toBe('set spec.resources.limits["nvidia.com/gpu"] to at least 8');
    expect(ds[0]).toMatchObject({ file: 'apps/70b/base/deployment.yaml', resource: 'ModelDeployment/-/llama-3.1-70b' });
  });
});

describe('ModelDeployment tensor parallelism', () => {
  it('reports tensor × pipeline over the GPU count', () => {
    const text = MODEL('m', `    parallelism:\n      tensor: 2\n      pipeline: 2\n  resources:\n    gpu:\n      count: 2\n`);
    const ds = checkModelDeployments(setup(text).inputs);
    expect(brief(ds)).toEqual([{ code: 'E_TENSOR_PARALLEL', ...pos(text, 'tensor: 2'), path: 'spec.model.parallelism.tensor' }]);
    expect(ds[0]?.message).toContain('2 × pipeline parallel size 2 = 4 exceeds the 2 GPU(s)');
    expect(ds[0]?.suggestion).toBe('set spec.resources.gpu.count to at least 4');
  });

  it('accepts tensor parallel below the GPU count and skips the check without declared GPUs', () => {
    expect(checkModelDeployments(setup(MODEL('m', `    vllm: { tensor_parallel_size: 2 }\n  resources:\n    gpu: { count: 4 }\n`)).inputs)).toEqual([]);
    expect(checkModelDeployments(setup(MODEL('m', `    vllm: { tensor_parallel_size: 8 }\n`)).inputs)).toEqual([]);
  });

  it('reports a declared count of 0 GPUs with tensor parallelism', () => {
    const text = MODEL('m', `    vllm:\n      tensor_parallel_size: 2\n  resources:\n    gpu: { count: 0 }\n`);
    expect(brief(checkModelDeployments(setup(text).inputs))).toEqual([
      { code: 'E_TENSOR_PARALLEL', ...pos(text, 'tensor_parallel_size'), path: 'spec.model.vllm.tensor_parallel_size' },
    ]);
  });
});
