import { describe, expect, it } from 'vitest';
import { ModelDeployment } from '../../resources/index.ts';
import { multiNodeContainers, serverContainer, vllmArgs } from './container.ts';
import { resolveOptions } from './options.ts';
import { topology } from './topology.ts';

function md(spec: Record<string, unknown>, name = 'm'): ModelDeployment {
  return ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name }, spec });
}
const o = resolveOptions();

function caught(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}
const codeOf = (fn: () => unknown): string | undefined => caught(fn).code;

describe('vllmArgs', () => {
  it('builds the exact argv from the vllm block', () => {
    const d = md({
      model: {
        name: 'llama',
        path: 'hf://meta-llama/Llama-3.1-8B-Instruct',
        vllm: { tensor_parallel_size: 2, max_model_len: 8192, gpu_memory_utilization: 0.9, max_num_seqs: 64, dtype: 'bfloat16', extra_args: ['--enable-prefix-caching'] },
      },
      resources: { gpu: { count: 2 } },
    });
    expect(vllmArgs(d, 8080, false)).toEqual([
      '--model', 'meta-llama/Llama-3.1-8B-Instruct',
      '--served-model-name', 'llama',
      '--tensor-parallel-size', '2',
      '--pipeline-parallel-size', '1',
      '--gpu-memory-utilization', '0.9',
      '--max-model-len', '8192',
      '--max-num-seqs', '64',
      '--dtype', 'bfloat16',
      '--host', '0.0.0.0',
      '--port', '8080',
      '--enable-prefix-caching',
    ]);
  });
  it('streams object-store weights and takes serving limits when the vllm block is silent', () => {
    const d = md({ model: { path: 's3://b/llama' }, serving: { maxSequenceLength: 4096, batchSize: 4 } }, 'llama-7b');
    expect(vllmArgs(d, 9000, true)).toEqual([
      '--model', 's3://b/llama', '--load-format', 'runai_streamer',
      '--served-model-name', 'llama-7b',
      '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1',
      '--max-model-len', '4096', '--max-num-seqs', '4',
      '--distributed-executor-backend', 'ray',
      '--host', '0.0.0.0', '--port', '9000',
    ]);
  });
});

describe('serverContainer', () => {
  it('vLLM: default image, the OpenAI server module, shm', () => {
    const c = serverContainer(md({ model: { path: '/models/x' } }), 8080, o);
    expect(c.image).toBe('vllm/vllm-openai:v0.11.0');
    expect(c.command).toEqual(['python3', '-m', 'vllm.entrypoints.openai.api_server']);
    expect(c.needsShm).toBe(true);
    expect(serverContainer(md({ model: { image: 'my/vllm:1' } }), 8080, o).image).toBe('my/vllm:1');
    expect(serverContainer(md({ model: {} }), 8080, resolveOptions({ vllmImageTag: 'v0.9.2' })).image).toBe('vllm/vllm-openai:v0.9.2');
  });
  it('llama.cpp: GGUF path, metrics on, all layers on GPU when it has one', () => {
    const c = serverContainer(md({ model: { framework: 'llama.cpp', path: '/models/q4.gguf', args: ['--flash-attn'] }, resources: { gpu: { count: 1 } }, serving: { maxSequenceLength: 2048, batchSize: 4 } }, 'tiny'), 8080, o);
    expect(c.image).toBe('ghcr.io/ggml-org/llama.cpp:server-cuda');
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['-m', '/models/q4.gguf', '--alias', 'tiny', '--host', '0.0.0.0', '--port', '8080', '--metrics', '-c', '2048', '-np', '4', '-ngl', '999', '--flash-attn']);
  });
  it('TGI: model id, shards = tensor parallel', () => {
    const c = serverContainer(md({ model: { framework: 'tgi', path: 'hf://org/m', parallelism: { tensor: 2 } }, resources: { gpu: { count: 2 } } }), 8080, o);
    expect(c.args).toEqual(['--model-id', 'org/m', '--hostname', '0.0.0.0', '--port', '8080', '--num-shard', '2']);
    expect(c.metricsPath).toBe('/metrics');
  });
  it('Ollama: serve, pull, no metrics', () => {
    const c = serverContainer(md({ model: { framework: 'ollama', name: 'llama3.1:8b' } }), 8080, o);
    expect(c.command).toEqual(['/bin/sh', '-c']);
    expect(c.args[0]).toContain('ollama pull llama3.1:8b && wait $pid');
    expect(c.env).toContainEqual({ name: 'OLLAMA_HOST', value: '0.0.0.0:8080' });
    expect(c.metricsPath).toBeUndefined();
  });
  it('command: substitutes {port} and {model}, needs an image', () => {
    const spec = { model: { framework: 'command', name: 'x', command: { command: ['srv', '--port={port}', '--name', '{model}'], env: { A: '{port}' } } } };
    expect(() => serverContainer(md(spec), 8080, o)).toThrow(/needs an image/);
    const c = serverContainer(md({ ...spec, model: { ...spec.model, image: 'me/srv:1' } }), 7000, o);
    expect(c.command).toEqual(['srv']);
    expect(c.args).toEqual(['--port=7000', '--name', 'x']);
    expect(c.env).toEqual([{ name: 'A', value: '7000' }]);
  });
  it('refuses object-store weights for servers that cannot read them', () => {
    expect(codeOf(() => serverContainer(md({ model: { framework: 'llama.cpp', path: 's3://b/m.gguf' } }), 8080, o))).toBe('E_K8S_RENDER');
    expect(codeOf(() => serverContainer(md({ model: { framework: 'tgi', path: 'gs://b/m' } }), 8080, o))).toBe('E_K8S_RENDER');
  });
});

describe('multi-node', () => {
  it('leader starts the Ray head then serves; workers join the leader', () => {
    const d = md({ model: { path: 'hf://meta-llama/Llama-3.1-405B', parallelism: { tensor: 8, pipeline: 2 } }, resources: { gpu: { count: 16 } } }, 'big');
    const { leader, worker } = multiNodeContainers(d, 8080, o);
    expect(leader.args).toEqual([
      'bash /vllm-workspace/examples/online_serving/multi-node-serving.sh leader --ray_cluster_size=$(LWS_GROUP_SIZE); exec python3 -m vllm.entrypoints.openai.api_server --model meta-llama/Llama-3.1-405B --served-model-name big --tensor-parallel-size 8 --pipeline-parallel-size 2 --distributed-executor-backend ray --host 0.0.0.0 --port 8080',
    ]);
    expect(worker.args).toEqual(['bash /vllm-workspace/examples/online_serving/multi-node-serving.sh worker --ray_address=$(LWS_LEADER_ADDRESS)']);
  });
  it('quotes shell-unsafe arguments in the leader script', () => {
    const d = md({ model: { path: "/models/it's here", parallelism: { tensor: 16 } }, resources: { gpu: { count: 16 } } });
    expect(multiNodeContainers(d, 8080, o).leader.args[0]).toContain(`--model '/models/it'\\''s here'`);
  });
  it('only vLLM spans nodes', () => {
    expect(() => multiNodeContainers(md({ model: { framework: 'tgi', parallelism: { tensor: 16 } } }), 8080, o)).toThrow(/only vllm/);
  });
});

describe('topology', () => {
  it('one pod while the replica fits a node', () => {
    expect(topology(md({ model: { parallelism: { tensor: 8 } }, resources: { gpu: { count: 8 } } }), o)).toEqual({ multiNode: false, podsPerReplica: 1, gpusPerPod: 8 });
    expect(topology(md({ model: {} }), o)).toEqual({ multiNode: false, podsPerReplica: 1, gpusPerPod: 0 });
  });
  it('groups of gpusPerNode pods when tensor × pipeline exceeds a node', () => {
    expect(topology(md({ model: { parallelism: { tensor: 8, pipeline: 2 } }, resources: { gpu: { count: 16 } } }), o)).toEqual({ multiNode: true, podsPerReplica: 2, gpusPerPod: 8 });
    expect(topology(md({ model: { parallelism: { tensor: 4, pipeline: 2 } } }), resolveOptions({ gpusPerNode: 4 }))).toEqual({ multiNode: true, podsPerReplica: 2, gpusPerPod: 4 });
  });
  it('refuses parallelism the GPUs cannot hold, or splits that are not exact', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model: { parallelism: { tensor: 8 } }, resources: { gpu: { count: 4 } } }, /needs 8 GPUs per replica, spec.resources.gpu.count is 4/],
      [{ model: { parallelism: { tensor: 12 } }, resources: { gpu: { count: 12 } } }, /multiple of gpusPerNode/],
      [{ model: {}, resources: { gpu: { count: 16 } } }, /exceed one node/],
    ];
    for (const [spec, message] of cases) {
      const e = caught(() => topology(md(spec), o));
      expect(e.code).toBe('E_TENSOR_PARALLEL');
      expect(e.message).toMatch(message);
    }
  });
});
