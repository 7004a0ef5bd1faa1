import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimulator, type RunningSimulator } from '../../src/runtime/simulator/index.ts';
import { isPloydError } from '../../src/errors/index.ts';
import { chatBody, metric } from './simulator-helpers.ts';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close(0);
  sim = undefined;
});

describe('simulator failure injection', () => {
  it('server_error answers 500', async () => {
    sim = await startSimulator({ model: 'm', port: 0, failureRate: 1, failureTypes: ['server_error'] });
    const c = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await expect(c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const r = await fetch(`${sim.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x' }) });
    expect(r.status).toBe(500);
  });

  it('rate_limit answers 429 with Retry-After', async () => {
    sim = await startSimulator({ model: 'm', port: 0, failureRate: 1, failureTypes: ['rate_limit'] });
    const r = await fetch(`${sim.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'x' }) });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe('rate_limit_exceeded');
  });

  it('timeout never answers until the client gives up', async () => {
    sim = await startSimulator({ model: 'm', port: 0, failureRate: 1, failureTypes: ['timeout'] });
    const started = Date.now();
    await expect(fetch(`${sim.url}/v1/chat/completions`, { ...chatBody('m', 'x'), signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // the simulator itself stays responsive
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
  });

  it('disconnect cuts a stream after some chunks, and a non-streamed request before any answer', async () => {
    sim = await startSimulator({ model: 'm', port: 0, failureRate: 1, failureTypes: ['disconnect'], outputTokens: 20, interTokenLatency: 2 });
    const res = await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x', { stream: true }));
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = '';
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          received += decoder.decode(value);
        }
      })(),
    ).rejects.toThrow();
    expect(received).toContain('"content":');
    expect(received).not.toContain('[DONE]');
    await expect(fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).rejects.toThrow();
    expect(await metric(sim.url, 'vllm:num_requests_running')).toBe(0);
  });

  it('a rate between 0 and 1 fails about that share of requests', async () => {
    sim = await startSimulator({ model: 'm', port: 0, failureRate: 0.3, failureTypes: ['server_error'], seed: 5 });
    const statuses = await Promise.all(Array.from({ length: 200 }, async () => (await fetch(`${sim!.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'x', max_tokens: 1 }) })).status));
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect(statuses.filter((s) => s !== 500 && s !== 200)).toEqual([]);
  });
});

describe('simulator admin endpoint', () => {
  it('reads and changes the configuration at run time: a good version goes bad and back', async () => {
    sim = await startSimulator({ model: 'm', port: 0 });
    const cfg = (await (await fetch(`${sim.url}/admin/config`)).json()) as Record<string, unknown>;
    expect(cfg).toMatchObject({ failureRate: 0, maxNumSeqs: 256, mode: 'random', failureTypes: ['server_error', 'rate_limit', 'timeout', 'disconnect'] });
    expect((await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).status).toBe(200);

    const put = await fetch(`${sim.url}/admin/config`, { method: 'PUT', body: JSON.stringify({ failureRate: 1, failureTypes: ['server_error'] }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ failureRate: 1, failureTypes: ['server_error'], maxNumSeqs: 256 });
    expect((await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).status).toBe(500);

    await fetch(`${sim.url}/admin/config`, { method: 'PUT', body: JSON.stringify({ failureRate: 0 }) });
    expect((await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).status).toBe(200);
  });

  it('added latency delays every request', async () => {
    sim = await startSimulator({ model: 'm', port: 0 });
    sim.setConfig({ addedLatency: 300 });
    const t = Date.now();
    expect((await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  it('rejects unknown fields and bad values naming the field; nothing is half-applied', async () => {
    sim = await startSimulator({ model: 'm', port: 0 });
    const bad = await fetch(`${sim.url}/admin/config`, { method: 'PUT', body: JSON.stringify({ failureRate: 0.5, failureRat: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/failureRat/);
    const range = await fetch(`${sim.url}/admin/config`, { method: 'PUT', body: JSON.stringify({ maxNumSeqs: 2, failureRate: 2 }) });
    expect(range.status).toBe(400);
    expect(((await range.json()) as { error: { param: string } }).error.param).toBe('failureRate');
    expect(sim.getConfig()).toMatchObject({ failureRate: 0, maxNumSeqs: 256 });
    expect((await fetch(`${sim.url}/admin/config`, { method: 'PUT', body: 'nope' })).status).toBe(400);
    expect((await fetch(`${sim.url}/admin/config`, { method: 'DELETE' })).status).toBe(405);
    try {
      sim.setConfig({ mode: 'chaos' });
      expect.unreachable();
    } catch (err) {
      expect(isPloydError(err) && err.code).toBe('E_VALIDATION');
    }
  });

  it('requires the admin token when one is set', async () => {
    sim = await startSimulator({ model: 'm', port: 0, adminToken: 's3cret' });
    expect((await fetch(`${sim.url}/admin/config`)).status).toBe(401);
    expect((await fetch(`${sim.url}/admin/config`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${sim.url}/admin/config`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    // inference needs no admin token
    expect((await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).status).toBe(200);
  });
});

describe('simulator metrics', () => {
  it('counts tokens and successes and fills the latency histograms under vLLM names', async () => {
    sim = await startSimulator({ model: 'llama', port: 0, mode: 'echo', interTokenLatency: 1 });
    const c = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await c.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'one two three' }] });
    await c.chat.completions.create({ model: 'llama', max_tokens: 2, messages: [{ role: 'user', content: 'four five six seven' }] });
    const s = await c.completions.create({ model: 'llama', prompt: 'a b c d e', stream: true });
    for await (const _ of s) {
      // drain
    }
    const text = await (await fetch(`${sim.url}/metrics`)).text();
    for (const name of [
      'vllm:num_requests_running',
      'vllm:num_requests_waiting',
      'vllm:kv_cache_usage_perc',
      'vllm:time_to_first_token_seconds_bucket',
      'vllm:inter_token_latency_seconds_bucket',
      'vllm:time_per_output_token_seconds_bucket',
      'vllm:e2e_request_latency_seconds_bucket',
      'vllm:prompt_tokens_total',
      'vllm:generation_tokens_total',
      'vllm:request_success_total',
    ]) {
      expect(text).toMatch(new RegExp(`^${name}\\{[^}]*model_name="llama"[^}]*\\} `, 'm'));
    }
    expect(await metric(sim.url, 'vllm:prompt_tokens_total')).toBe(3 + 4 + 5);
    expect(await metric(sim.url, 'vllm:generation_tokens_total')).toBe(3 + 2 + 5);
    expect(await metric(sim.url, 'vllm:request_success_total', 'finished_reason="stop"')).toBe(2);
    expect(await metric(sim.url, 'vllm:request_success_total', 'finished_reason="length"')).toBe(1);
    expect(await metric(sim.url, 'vllm:time_to_first_token_seconds_count')).toBe(3);
    expect(await metric(sim.url, 'vllm:e2e_request_latency_seconds_count')).toBe(3);
    expect(await metric(sim.url, 'vllm:inter_token_latency_seconds_count')).toBe(2 + 1 + 4);
    expect(await metric(sim.url, 'vllm:time_per_output_token_seconds_count')).toBe(7);
  });
});
