import { describe, expect, it } from 'vitest';
import { parseLoad } from './load-metrics.ts';

describe('parseLoad', () => {
  it('sums running and waiting across label sets', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests running',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{model_name="a"} 3',
      'vllm:num_requests_running{model_name="b"} 1.0',
      'vllm:num_requests_waiting{model_name="a"} 2',
      'vllm:num_requests_running_total 99',
      'vllm:kv_cache_usage_perc 0.5',
    ].join('\n');
    expect(parseLoad(text)).toEqual({ running: 4, waiting: 2 });
  });
  it('is undefined when the server reports neither', () => {
    expect(parseLoad('process_cpu_seconds_total 1\n')).toBeUndefined();
  });
  it('treats a missing one as 0 when the other is present', () => {
    expect(parseLoad('vllm:num_requests_waiting 5\n')).toEqual({ running: 0, waiting: 5 });
  });
});
