import { describe, expect, it } from 'vitest';
import { ModelDeployment } from '../../resources/index.ts';
import { isPloydError } from '../../errors/index.ts';
import { LAUNCHERS, PLOYD_BIN, launcherFor, parseFrameworkMetrics, probePaths, substitute } from './index.ts';

function md(spec: Record<string, unknown>, name = 'llama-7b'): ModelDeployment {
  return ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name }, spec });
}
const ctx = { port: 8101, gpus: [2, 3], replicaIndex: 0, host: '127.0.0.1' };
const cpu = { port: 8102, gpus: [], replicaIndex: 1, host: '0.0.0.0' };

describe('vllm launcher', () => {
  it('maps the vllm block to vllm serve flags in a fixed order, GPUs to CUDA_VISIBLE_DEVICES', () => {
    const d = md({
      model: {
        framework: 'vllm',
        path: 'hf://meta-llama/Llama-2-7b-chat-hf',
        vllm: {
          tensor_parallel_size: 2,
          pipeline_parallel_size: 2,
          gpu_memory_utilization: 0.9,
          max_model_len: 4096,
          max_num_seqs: 64,
          served_model_name: 'llama-7b-chat',
          dtype: 'bfloat16',
          quantization: 'awq',
          extra_args: ['--enable-prefix-caching'],
        },
      },
      env: { HF_HOME: '/cache' },
    });
    expect(launcherFor(d).launch(d, ctx)).toEqual({
      command: 'vllm',
      args: [
        'serve', 'meta-llama/Llama-2-7b-chat-hf', '--host', '127.0.0.1', '--port', '8101',
        '--served-model-name', 'llama-7b-chat', '--tensor-parallel-size', '2', '--pipeline-parallel-size', '2',
        '--gpu-memory-utilization', '0.9', '--max-model-len', '4096', '--max-num-seqs', '64',
        '--dtype', 'bfloat16', '--quantization', 'awq', '--enable-prefix-caching',
      ],
      env: { HF_HOME: '/cache', CUDA_VISIBLE_DEVICES: '2,3' },
    });
  });

  it('falls back to parallelism and serving fields, defaults to tensor parallel 1 and the metadata name', () => {
    const d = md({ model: { path: 's3://models/llama', parallelism: { tensor: 4 } }, serving: { maxSequenceLength: 2048, batchSize: 16 } });
    expect(LAUNCHERS.vllm.launch(d, cpu)).toEqual({
      command: 'vllm',
      args: ['serve', 's3://models/llama', '--host', '0.0.0.0', '--port', '8102', '--served-model-name', 'llama-7b', '--tensor-parallel-size', '4', '--max-model-len', '2048', '--max-num-seqs', '16'],
      env: { CUDA_VISIBLE_DEVICES: '' },
    });
    const bare = md({ model: {} });
    expect(LAUNCHERS.vllm.launch(bare, ctx).args).toEqual(['serve', 'llama-7b', '--host', '127.0.0.1', '--port', '8101', '--served-model-name', 'llama-7b', '--tensor-parallel-size', '1']);
  });

  it('has vLLM probes and metrics', () => {
    expect(probePaths(md({ model: {} }))).toEqual({ readinessPath: '/health', livenessPath: '/health', metricsPath: '/metrics', metricsFormat: 'vllm' });
  });
});

describe('llama.cpp launcher', () => {
  it('runs llama-server on a GGUF file with all layers on the GPU and metrics on', () => {
    const d = md({ model: { framework: 'llama.cpp', path: '/models/q4.gguf', name: 'tiny', args: ['--flash-attn'] }, serving: { maxSequenceLength: 8192, batchSize: 4 } });
    expect(launcherFor(d).launch(d, ctx)).toEqual({
      command: 'llama-server',
      args: ['-m', '/models/q4.gguf', '--host', '127.0.0.1', '--port', '8101', '--alias', 'tiny', '-c', '8192', '--parallel', '4', '-ngl', '999', '--metrics', '--flash-attn'],
      env: { CUDA_VISIBLE_DEVICES: '2,3' },
    });
  });
  it('uses -hf for hf:// paths and no GPU layers without GPUs', () => {
    const d = md({ model: { framework: 'llama.cpp', path: 'hf://ggml-org/gemma-3-1b-it-GGUF' } });
    expect(LAUNCHERS['llama.cpp'].launch(d, cpu).args).toEqual(['-hf', 'ggml-org/gemma-3-1b-it-GGUF', '--host', '0.0.0.0', '--port', '8102', '--alias', 'llama-7b', '-ngl', '0', '--metrics']);
    expect(probePaths(d)).toEqual({ readinessPath: '/health', livenessPath: '/health', metricsPath: '/metrics', metricsFormat: 'llamacpp' });
  });
  it('refuses a deployment without a path with a coded error naming the field', () => {
    const d = md({ model: { framework: 'llama.cpp' } });
    try {
      LAUNCHERS['llama.cpp'].launch(d, cpu);
      expect.unreachable();
    } catch (err) {
      expect(isPloydError(err) && err.code).toBe('E_MISSING_FIELD');
      expect((err as Error).message).toContain('spec.model.path');
    }
  });
});

describe('tgi launcher', () => {
  it('runs text-generation-launcher with shards from tensor parallelism', () => {
    const d = md({ model: { framework: 'tgi', path: 'hf://mistralai/Mistral-7B-v0.1', vllm: { tensor_parallel_size: 2, max_model_len: 4096, max_num_seqs: 32, dtype: 'float16' } } });
    expect(launcherFor(d).launch(d, ctx)).toEqual({
      command: 'text-generation-launcher',
      args: ['--model-id', 'mistralai/Mistral-7B-v0.1', '--hostname', '127.0.0.1', '--port', '8101', '--num-shard', '2', '--max-total-tokens', '4096', '--max-concurrent-requests', '32', '--dtype', 'float16'],
      env: { CUDA_VISIBLE_DEVICES: '2,3' },
    });
    expect(probePaths(d).metricsFormat).toBe('tgi');
  });
});

describe('ollama launcher', () => {
  it('runs ollama serve with OLLAMA_HOST and no metrics', () => {
    const d = md({ model: { framework: 'ollama', name: 'llama3.2' } });
    expect(launcherFor(d).launch(d, cpu)).toEqual({ command: 'ollama', args: ['serve'], env: { CUDA_VISIBLE_DEVICES: '', OLLAMA_HOST: '0.0.0.0:8102' } });
    expect(probePaths(d)).toEqual({ readinessPath: '/api/tags', livenessPath: '/', metricsPath: undefined, metricsFormat: 'none' });
  });
});

describe('simulator launcher', () => {
  it('runs this package’s bin with the simulator block as flags', () => {
    const d = md({
      model: {
        framework: 'simulator',
        name: 'sim-model',
        simulator: {
          timeToFirstToken: '50ms',
          prefillTimePerToken: '1ms',
          interTokenLatency: '10ms',
          latencyStdDev: '2ms',
          maxNumSeqs: 8,
          maxWaitingQueueLength: 20,
          startupDelay: '2s',
          failureRate: 0.1,
          failureTypes: ['server_error', 'disconnect'],
          mode: 'echo',
          seed: 42,
          outputTokens: 16,
        },
      },
      serving: { maxSequenceLength: 2048 },
    });
    expect(PLOYD_BIN).toMatch(/bin[/\\]ployd\.js$/);
    expect(launcherFor(d).launch(d, ctx)).toEqual({
      command: process.execPath,
      args: [
        PLOYD_BIN, 'simulator', '--model', 'sim-model', '--host', '127.0.0.1', '--port', '8101',
        '--time-to-first-token', '50', '--prefill-time-per-token', '1', '--inter-token-latency', '10', '--latency-std-dev', '2',
        '--max-num-seqs', '8', '--max-waiting-queue-length', '20', '--max-model-len', '2048', '--startup-delay', '2000',
        '--failure-injection-rate', '10', '--failure-types', 'server_error,disconnect', '--mode', 'echo', '--seed', '42', '--output-tokens', '16',
      ],
      env: { CUDA_VISIBLE_DEVICES: '2,3' },
    });
  });
  it('takes capacity from the vllm block when the simulator block is absent', () => {
    const d = md({ model: { framework: 'simulator', vllm: { max_num_seqs: 12 } } });
    expect(LAUNCHERS.simulator.launch(d, cpu).args.slice(1)).toEqual(['simulator', '--model', 'llama-7b', '--host', '0.0.0.0', '--port', '8102', '--max-num-seqs', '12']);
  });
});

describe('command launcher', () => {
  it('substitutes {port}, {host}, {model} in argv and env', () => {
    const d = md({
      model: { framework: 'command', name: 'm1', command: { command: ['python', 'serve.py', '--listen={host}:{port}', '--name', '{model}', '{other}'], env: { URL: 'http://{host}:{port}' } } },
      env: { A: '1' },
    });
    expect(launcherFor(d).launch(d, ctx)).toEqual({
      command: 'python',
      args: ['serve.py', '--listen=127.0.0.1:8101', '--name', 'm1', '{other}'],
      env: { A: '1', CUDA_VISIBLE_DEVICES: '2,3', URL: 'http://127.0.0.1:8101' },
    });
    expect(probePaths(d)).toEqual({ readinessPath: '/health', livenessPath: '/health', metricsPath: undefined, metricsFormat: 'none' });
  });
  it('reads metrics as vLLM when metricsPath is set, and health overrides win', () => {
    const d = md({
      model: { framework: 'command', command: { command: ['srv'], metricsPath: '/stats' } },
      health: { readinessProbe: { httpGet: { path: '/ready' } }, livenessProbe: { httpGet: { path: '/live' } } },
    });
    expect(probePaths(d)).toEqual({ readinessPath: '/ready', livenessPath: '/live', metricsPath: '/stats', metricsFormat: 'vllm' });
  });
  it('refuses a command deployment without a command block', () => {
    expect(() => LAUNCHERS.command.launch(md({ model: { framework: 'command' } }), ctx)).toThrow(/spec\.model\.command/);
  });
  it('substitute leaves unknown braces', () => {
    expect(substitute('{port}-{x}', { port: 1, host: 'h', model: 'm' })).toBe('1-{x}');
  });
});

describe('parseFrameworkMetrics', () => {
  it('reads vLLM gauges, summing counts over label sets', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests running',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{model_name="a"} 3',
      'vllm:num_requests_running{model_name="b"} 2',
      'vllm:num_requests_waiting{model_name="a"} 7',
      'vllm:kv_cache_usage_perc{model_name="a",engine="0"} 0.25',
      'vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="a"} 4',
    ].join('\n');
    expect(parseFrameworkMetrics('vllm', text)).toEqual({ running: 5, waiting: 7, kvCacheUsage: 0.25 });
  });
  it('falls back to the older vllm:gpu_cache_usage_perc', () => {
    expect(parseFrameworkMetrics('vllm', 'vllm:gpu_cache_usage_perc 0.5\n')).toEqual({ kvCacheUsage: 0.5 });
  });
  it('reads llama.cpp and TGI names', () => {
    const ll = 'llamacpp:requests_processing 2\nllamacpp:requests_deferred 1\nllamacpp:kv_cache_usage_ratio 0.4 1700000000\n';
    expect(parseFrameworkMetrics('llamacpp', ll)).toEqual({ running: 2, waiting: 1, kvCacheUsage: 0.4 });
    expect(parseFrameworkMetrics('tgi', 'tgi_queue_size 6\ntgi_batch_current_size 9\n')).toEqual({ running: 9, waiting: 6 });
  });
  it('skips garbage and returns nothing for none', () => {
    expect(parseFrameworkMetrics('vllm', 'not metrics at all\n{}\nvllm:num_requests_running{ NaN\nvllm:num_requests_waiting abc\n')).toEqual({});
    expect(parseFrameworkMetrics('none', 'vllm:num_requests_running 1')).toEqual({});
  });
});
