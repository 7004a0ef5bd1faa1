import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the fake model server does with the next requests. */
export type UpstreamMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'hang' }
  /** Streams `after` chunks, then destroys the socket. Non-streaming: sends half a body then dies. */
  | { kind: 'die-mid-stream'; after: number }
  /** Sends the body a byte every `intervalMs`. */
  | { kind: 'trickle'; intervalMs: number };

export interface FakeUpstream {
  readonly url: string;
  readonly name: string;
  mode: UpstreamMode;
  /** Streaming: chunks and delay between them. */
  chunks: number;
  chunkIntervalMs: number;
  requests: number;
  readonly bodies: Record<string, unknown>[];
  readonly headers: IncomingMessage['headers'][];
  /** Requests whose client (the gateway) went away before the answer ended. */
  aborted: number;
  /** vLLM metrics it exports. */
  load: { waiting: number; running: number; kv: number };
  close(): Promise<void>;
}

function chatChunk(name: string, i: number, model: string): string {
  return `data: ${JSON.stringify({ id: `chatcmpl-${name}`, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content: `t${i} ` }, finish_reason: null }] })}\n\n`;
}

/**
 * A small, controllable OpenAI-compatible upstream for fault injection: answers, errors, hangs,
 * dies mid-stream, trickles bytes. `name` is echoed in answers so tests see who served.
 */
export async function startFakeUpstream(name: string): Promise<FakeUpstream> {
  const sockets = new Set<Socket>();
  const state: Omit<FakeUpstream, 'url' | 'close'> = {
    name,
    mode: { kind: 'ok' },
    chunks: 5,
    chunkIntervalMs: 1,
    requests: 0,
    bodies: [],
    headers: [],
    aborted: 0,
    load: { waiting: 0, running: 0, kv: 0 },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/metrics') {
        res.end(
          `# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{model_name="m"} ${state.load.waiting}\nvllm:num_requests_running{model_name="m"} ${state.load.running}\nvllm:kv_cache_usage_perc{model_name="m"} ${state.load.kv}\n`,
        );
        return;
      }
      state.requests++;
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      state.bodies.push(body);
      state.headers.push(req.headers);
      res.once('close', () => {
        if (!res.writableFinished) state.aborted++;
      });
      serve(req, res, body);
    });
  });
  const mode = (): UpstreamMode => state.mode;

  function serve(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
    const m = mode();
    const model = typeof body.model === 'string' ? body.model : 'unknown';
    if (m.kind === 'hang') return;
    if (m.kind === 'status') {
      const h: Record<string, string> = { 'content-type': 'application/json' };
      if (m.retryAfter !== undefined) h['retry-after'] = m.retryAfter;
      res.writeHead(m.status, h);
      res.end(JSON.stringify({ error: { message: `${name} says ${m.status}`, type: 'server_error', code: null, param: null } }));
      return;
    }
    const path = req.url ?? '';
    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-upstream': name });
      let i = 0;
      const limit = m.kind === 'die-mid-stream' ? m.after : state.chunks;
      const tick = (): void => {
        if (res.destroyed) return;
        if (i < limit) {
          res.write(chatChunk(name, i++, model));
          setTimeout(tick, state.chunkIntervalMs);
          return;
        }
        if (m.kind === 'die-mid-stream') {
          res.socket?.destroy();
          return;
        }
        const opts = body.stream_options as { include_usage?: boolean } | undefined;
        if (opts?.include_usage) res.write(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 7, completion_tokens: limit, total_tokens: 7 + limit } })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      if (m.kind === 'trickle') {
        const text = chatChunk(name, 0, model);
        let pos = 0;
        const drip = (): void => {
          if (res.destroyed) return;
          if (pos < text.length) {
            res.write(text[pos++]!);
            setTimeout(drip, m.intervalMs);
          } else res.end('data: [DONE]\n\n');
        };
        drip();
        return;
      }
      tick();
      return;
    }
    let payload: unknown;
    if (path.endsWith('/embeddings')) {
      payload = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], model, usage: { prompt_tokens: 3, total_tokens: 3 } };
    } else if (path.endsWith('/chat/completions')) {
      payload = {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: `hello from ${name}` }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
      };
    } else {
      payload = { id: 'cmpl-1', object: 'text_completion', created: 1, model, choices: [{ index: 0, text: `hello from ${name}`, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } };
    }
    const text = JSON.stringify(payload);
    if (m.kind === 'die-mid-stream') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.write(text.slice(0, 10));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    if (m.kind === 'trickle') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      let pos = 0;
      const drip = (): void => {
        if (res.destroyed) return;
        if (pos < text.length) {
          res.write(text[pos++]!);
          setTimeout(drip, m.intervalMs);
        } else res.end();
      };
      drip();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
    res.end(text);
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const up = state as FakeUpstream;
  Object.assign(up, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return up;
}

/** A URL where nothing listens: connections are refused. */
export async function refusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
