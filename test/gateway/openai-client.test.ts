import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { FakeVerifier, route } from './helpers.ts';

describe('the official openai client against the gateway, unchanged', () => {
  let up: FakeUpstream;
  let gw: Gateway;
  let client: OpenAI;

  beforeAll(async () => {
    up = await startFakeUpstream('llama');
    gw = createGateway({ logger: createLogger({ level: 'silent' }), verifier: new FakeVerifier().add('sk-test', { id: 'k1' }) });
    gw.publish({
      routes: [
        route('chat', {
          path: '/v1',
          authentication: { required: true, methods: ['api_key'] },
          rules: [{ matches: [{ model: 'llama-3.1-8b' }], backends: [{ name: 'llama', url: up.url, model: 'meta-llama/Llama-3.1-8B' }] }],
        }),
      ],
      deployments: [],
      endpoints: [],
    });
    const { port } = await gw.listen(0);
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close();
    await up.close();
  });

  it('chat completions, with the model rewritten to the served name', async () => {
    const r = await client.chat.completions.create({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]?.message.content).toBe('hello from llama');
    expect(up.bodies.at(-1)?.model).toBe('meta-llama/Llama-3.1-8B');
    // The client's key is not forwarded upstream.
    expect(up.headers.at(-1)?.authorization).toBeUndefined();
  });

  it('streaming chat completions, chunk by chunk, ending cleanly', async () => {
    up.chunks = 6;
    const tokensOut = async (): Promise<number> => {
      const text = await (await fetch(`${client.baseURL.replace(/\/v1$/, '')}/metrics`)).text();
      return Number(/ployd_gateway_tokens_total\{route="default\/chat",backend="llama",direction="out"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await tokensOut();
    const stream = await client.chat.completions.create({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const parts: string[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      const c = chunk.choices[0]?.delta.content;
      if (c) parts.push(c);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(parts).toEqual(['t0 ', 't1 ', 't2 ', 't3 ', 't4 ', 't5 ']);
    expect(usage).toMatchObject({ completion_tokens: 6 });
    // The gateway counted the stream's usage event (found in its last chunks when it ended).
    expect((await tokensOut()) - before).toBe(6);
  });

  it('completions and embeddings', async () => {
    const c = await client.completions.create({ model: 'llama-3.1-8b', prompt: 'hi' });
    expect(c.choices[0]?.text).toBe('hello from llama');
    const e = await client.embeddings.create({ model: 'llama-3.1-8b', input: 'hi', encoding_format: 'float' });
    expect(e.data[0]?.embedding).toEqual([0.1, 0.2, 0.3]);
  });

  it('lists models from the current route table', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['llama-3.1-8b']);
  });

  it('exports metrics, the overhead header and per-backend rolling windows', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices).toHaveLength(1);
    expect(Number(response.headers.get('x-ployd-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const text = await (await fetch(`${client.baseURL.replace(/\/v1$/, '')}/metrics`)).text();
    expect(text).toMatch(/ployd_gateway_tokens_total\{route="default\/chat",backend="llama",direction="in"\} \d+/);
    expect(text).toMatch(/ployd_gateway_requests_total\{route="default\/chat",backend="llama",code="200"\} \d+/);
    expect(text).toMatch(/ployd_gateway_overhead_seconds_count\{route="default\/chat"\} \d+/);
    expect(text).toMatch(/ployd_gateway_time_to_first_token_seconds_count\{route="default\/chat",backend="llama"\} [1-9]/);
    const stats = gw.metrics.backendStats('default/llama', 60);
    expect(stats.requests).toBeGreaterThanOrEqual(4);
    expect(stats.successRate).toBe(1);
    expect(stats.latencyMs?.p99).toBeGreaterThan(0);
  });

  it('maps gateway errors onto the client\'s error classes', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: client.baseURL, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
