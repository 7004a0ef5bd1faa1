import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/runtime/simulator/index.ts';
import { chatBody, eventually, metric } from './simulator-helpers.ts';

describe('simulator capacity', () => {
  it('runs max-num-seqs at once and queues the rest; the KV-cache gauge follows running tokens', async () => {
    // Long generations (10 tokens × 300 ms) so the state holds while the test looks at it.
    const sim = await startSimulator({ model: 'm', port: 0, mode: 'echo', maxNumSeqs: 2, interTokenLatency: 300, maxModelLen: 100 });
    try {
      const words = 'w '.repeat(10).trim();
      const send = () => fetch(`${sim.url}/v1/chat/completions`, chatBody('m', words)).then(async (r) => ({ status: r.status, body: (await r.json()) as { choices: { message: { content: string } }[] } }));
      const reqs = [send(), send()];
      await eventually(() => metric(sim.url, 'vllm:num_requests_running'), (r) => r === 2);
      reqs.push(send(), send());
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 2);
      expect(await metric(sim.url, 'vllm:num_requests_running')).toBe(2);
      // Two running sequences of 10 prompt tokens plus a few output tokens, over 2 × 100 tokens.
      const kv = await metric(sim.url, 'vllm:kv_cache_usage_perc');
      expect(kv).toBeGreaterThan(0.09);
      expect(kv).toBeLessThanOrEqual(0.2);
      const results = await Promise.all(reqs);
      expect(results.map((r) => [r.status, r.body.choices[0]?.message.content])).toEqual(Array.from({ length: 4 }, () => [200, words]));
      expect(await metric(sim.url, 'vllm:num_requests_running')).toBe(0);
      expect(await metric(sim.url, 'vllm:kv_cache_usage_perc')).toBe(0);
    } finally {
      await sim.close(0);
    }
  });

  it('starts waiting requests in arrival order (FIFO)', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, maxNumSeqs: 1, interTokenLatency: 150, outputTokens: 5 });
    try {
      const order: string[] = [];
      const send = (name: string) => fetch(`${sim.url}/v1/chat/completions`, chatBody('m', name)).then(async (r) => {
        await r.text();
        order.push(name);
      });
      // Arrival order is made certain by waiting for each request to be seen before sending the next.
      const a = send('a');
      await eventually(() => metric(sim.url, 'vllm:num_requests_running'), (r) => r === 1);
      const b = send('b');
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 1);
      const c = send('c');
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 2);
      await Promise.all([a, b, c]);
      // One slot: each request starts only after the previous one has been answered.
      expect(order).toEqual(['a', 'b', 'c']);
    } finally {
      await sim.close(0);
    }
  });

  it('refuses with 429 + Retry-After when the waiting queue is full, or 503 when so configured', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, maxNumSeqs: 1, maxWaitingQueueLength: 1, interTokenLatency: 150, outputTokens: 10 });
    try {
      const held = [fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'a')), fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'b'))];
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 1);
      const full = await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'c'));
      expect(full.status).toBe(429);
      expect(full.headers.get('retry-after')).toBe('1');
      expect(((await full.json()) as { error: { message: string } }).error.message).toContain('queue is full');
      sim.setConfig({ queueFullStatus: 503 });
      const full503 = await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'c'));
      expect(full503.status).toBe(503);
      await full503.text();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await sim.close(0);
    }
  });

  it('raising max-num-seqs at run time starts waiting requests', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, maxNumSeqs: 1, interTokenLatency: 100, outputTokens: 20 });
    try {
      const reqs = [1, 2, 3].map(() => fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x')));
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 2);
      sim.setConfig({ maxNumSeqs: 3 });
      expect(await metric(sim.url, 'vllm:num_requests_running')).toBe(3);
      expect(await metric(sim.url, 'vllm:num_requests_waiting')).toBe(0);
      await Promise.all((await Promise.all(reqs)).map((r) => r.text()));
    } finally {
      await sim.close(0);
    }
  });

  it('a client that leaves frees its slot and its queue place', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, maxNumSeqs: 1, interTokenLatency: 50, outputTokens: 100 });
    try {
      const a = new AbortController();
      const b = new AbortController();
      const ra = fetch(`${sim.url}/v1/chat/completions`, { ...chatBody('m', 'x'), signal: a.signal }).catch(() => undefined);
      const rb = fetch(`${sim.url}/v1/chat/completions`, { ...chatBody('m', 'y'), signal: b.signal }).catch(() => undefined);
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 1);
      b.abort();
      await eventually(() => metric(sim.url, 'vllm:num_requests_waiting'), (w) => w === 0);
      a.abort();
      await eventually(() => metric(sim.url, 'vllm:num_requests_running'), (r) => r === 0);
      await Promise.all([ra, rb]);
    } finally {
      await sim.close(0);
    }
  });

  it('answers /health 503 and refuses inference during the startup delay, then 200', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, startupDelay: 400 });
    try {
      expect((await fetch(`${sim.url}/health`)).status).toBe(503);
      const early = await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'));
      expect(early.status).toBe(503);
      await early.text();
      expect((await fetch(`${sim.url}/metrics`)).status).toBe(200);
      await eventually(async () => (await fetch(`${sim.url}/health`)).status, (s) => s === 200);
      expect((await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x'))).status).toBe(200);
    } finally {
      await sim.close(0);
    }
  });

  it('graceful close lets in-flight streams finish and refuses new work', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, interTokenLatency: 10, outputTokens: 20 });
    const inflight = fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x', { stream: true }));
    const res = await inflight;
    const closing = sim.close(5000);
    const text = await res.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    await closing;
    await expect(fetch(`${sim.url}/health`)).rejects.toThrow();
  });

  it('close cuts work that outlives the grace period', async () => {
    const sim = await startSimulator({ model: 'm', port: 0, interTokenLatency: 100, outputTokens: 1000 });
    const res = await fetch(`${sim.url}/v1/chat/completions`, chatBody('m', 'x', { stream: true }));
    await sim.close(50);
    await expect(res.text()).rejects.toThrow();
  });
});
