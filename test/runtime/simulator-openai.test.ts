import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimulator, type RunningSimulator } from '../../src/runtime/simulator/index.ts';

// The official OpenAI client against the simulator: if the client accepts it, so will users' apps.
describe('simulator speaks OpenAI (official client)', () => {
  let sim: RunningSimulator;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSimulator({ model: 'llama-7b', port: 0, mode: 'echo', interTokenLatency: 1, maxModelLen: 512 });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await sim.close(0);
  });

  it('chat completion: ids, created, model, choices, usage', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await client.chat.completions.create({
      model: 'llama-7b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there, simulator!' },
      ],
    });
    expect(r.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(r.object).toBe('chat.completion');
    expect(r.created).toBeGreaterThanOrEqual(before);
    expect(r.model).toBe('llama-7b');
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello there, simulator!' } });
    // "Be brief." = 3 tokens, "Hello there, simulator!" = 5 tokens
    expect(r.usage).toEqual({ prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 });
  });

  it('honours max_tokens and max_completion_tokens with finish_reason length', async () => {
    const a = await client.chat.completions.create({ model: 'llama-7b', max_tokens: 2, messages: [{ role: 'user', content: 'one two three four' }] });
    expect(a.choices[0]?.message.content).toBe('one two');
    expect(a.choices[0]?.finish_reason).toBe('length');
    expect(a.usage?.completion_tokens).toBe(2);
    const b = await client.chat.completions.create({ model: 'llama-7b', max_completion_tokens: 3, messages: [{ role: 'user', content: 'one two three four' }] });
    expect(b.choices[0]?.message.content).toBe('one two three');
  });

  it('streams chat chunks and a final usage chunk with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'llama-7b',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream me, please.' }],
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'llama-7b')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Stream me, please.');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    const finish = chunks.at(-2);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('streams without usage when include_usage is not set, ending with [DONE]', async () => {
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama-7b', stream: true, messages: [{ role: 'user', content: 'a b' }] }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    const events = body.split('\n\n').filter((e) => e !== '');
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(body).not.toContain('"usage"');
    expect(events).toHaveLength(5); // role, "a", " b", finish, [DONE]
  });

  it('text completions, streamed and not', async () => {
    const r = await client.completions.create({ model: 'llama-7b', prompt: 'The quick brown fox', max_tokens: 3 });
    expect(r.id).toMatch(/^cmpl-/);
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]).toMatchObject({ index: 0, text: 'The quick brown', finish_reason: 'length' });
    expect(r.usage).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    const s = await client.completions.create({ model: 'llama-7b', prompt: 'jumps over', stream: true, stream_options: { include_usage: true } });
    const parts = [];
    let usage;
    for await (const c of s) {
      if (c.choices.length > 0) parts.push(c.choices[0]?.text ?? '');
      else usage = c.usage;
    }
    expect(parts.join('')).toBe('jumps over');
    expect(usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  });

  it('lists the model', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m);
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ id: 'llama-7b', object: 'model', owned_by: 'ployd-simulator' });
  });

  it('embeddings: deterministic unit vectors, base64 (client default) and float', async () => {
    const a = await client.embeddings.create({ model: 'llama-7b', input: ['hello world', 'other'] });
    expect(a.object).toBe('list');
    expect(a.data).toHaveLength(2);
    expect(a.data[0]?.embedding).toHaveLength(384);
    expect(a.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const b = await client.embeddings.create({ model: 'llama-7b', input: 'hello world', encoding_format: 'float', dimensions: 384 });
    const va = a.data[0]?.embedding ?? [];
    const vb = b.data[0]?.embedding ?? [];
    expect(vb.map((x) => Math.fround(x))).toEqual(va);
    expect(a.data[1]?.embedding).not.toEqual(va);
  });

  it('unknown model is 404, a bad body 400 naming the field, context overflow 400', async () => {
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'llama-7b', messages: [{ content: 'x' }] }) });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: { message: string; param: string; type: string } };
    expect(err.error.param).toBe('messages.0.role');
    expect(err.error.type).toBe('invalid_request_error');
    const batched = await fetch(`${sim.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'llama-7b', prompt: ['a', 'b'] }) });
    expect(batched.status).toBe(400);
    expect(((await batched.json()) as { error: { message: string; param: string } }).error).toMatchObject({ param: 'prompt', message: expect.stringContaining('batched prompts') as unknown });
    const notJson = await fetch(`${sim.url}/v1/completions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    await expect(client.completions.create({ model: 'llama-7b', prompt: 'x', max_tokens: 600 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect((await fetch(`${sim.url}/v1/chat/completions`)).status).toBe(405);
    expect((await fetch(`${sim.url}/v2/nothing`)).status).toBe(404);
  });
});

describe('simulator determinism', () => {
  it('random mode: same seed and request give the same text; another seed differs', async () => {
    const sims = await Promise.all([1, 1, 2].map((seed) => startSimulator({ model: 'm', port: 0, seed, outputTokens: 40 })));
    try {
      const ask = async (url: string, content: string): Promise<string> => {
        const c = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
        const r = await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] });
        expect(r.usage?.completion_tokens).toBe(40);
        expect(r.choices[0]?.finish_reason).toBe('stop');
        return r.choices[0]?.message.content ?? '';
      };
      const [s1, s1b, s2] = sims.map((s) => s.url) as [string, string, string];
      const a = await ask(s1, 'tell me a story');
      expect(a.length).toBeGreaterThan(40);
      expect(await ask(s1, 'tell me a story')).toBe(a);
      expect(await ask(s1b, 'tell me a story')).toBe(a);
      expect(await ask(s2, 'tell me a story')).not.toBe(a);
      expect(await ask(s1, 'another request')).not.toBe(a);
    } finally {
      await Promise.all(sims.map((s) => s.close(0)));
    }
  });

  it('ignore_eos generates exactly max_tokens', async () => {
    const sim = await startSimulator({ model: 'm', port: 0 });
    try {
      const c = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const r = await c.chat.completions.create({ model: 'm', max_tokens: 200, messages: [{ role: 'user', content: 'x' }], ignore_eos: true } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(r.usage?.completion_tokens).toBe(200);
      expect(r.choices[0]?.finish_reason).toBe('length');
    } finally {
      await sim.close(0);
    }
  });
});
