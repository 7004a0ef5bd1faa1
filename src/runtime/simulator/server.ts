import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { rootLogger, type Logger } from '../../log/index.ts';
import { PloydError } from '../../errors/index.ts';
import {
  formatIssues,
  resolveSettings,
  runtimeConfigOf,
  SimulatorConfigPatch,
  type FailureType,
  type SimulatorOptions,
  type SimulatorRuntimeConfig,
  type SimulatorSettings,
} from './config.ts';
import { SimEngine, type GenerationHandle, type GenerationSink } from './engine.ts';
import { createSimulatorMetrics, type SimulatorMetrics } from './metrics.ts';
import { ChatCompletionRequest, CompletionRequest, EmbeddingRequest, completionPromptText, errorBody, messageText } from './openai.ts';
import { createRng, hashString, type Rng } from './prng.ts';
import { countTokens, randomTokens, tokenize } from './tokens.ts';
import { sampleTimeToFirstToken } from './latency.ts';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A simulator built but not listening: its HTTP server plus the handles tests and the CLI need. */
export interface SimulatorServer {
  readonly server: Server;
  readonly settings: Readonly<SimulatorSettings>;
  readonly engine: SimEngine;
  readonly metrics: SimulatorMetrics;
  /** Current runtime configuration (a copy). */
  readonly getConfig: () => SimulatorRuntimeConfig;
  /** Validates and merges a partial configuration; throws E_VALIDATION naming bad fields. */
  readonly setConfig: (patch: unknown) => SimulatorRuntimeConfig;
  /**
   * Graceful stop: refuse new requests and fail /health at once, let running and queued requests
   * finish for up to `graceMs`, then cut every connection. Resolves when the server is closed.
   */
  readonly shutdown: (graceMs?: number) => Promise<void>;
}

interface Route {
  readonly kind: 'chat' | 'completion';
  readonly id: string;
  readonly created: number;
  readonly includeUsage: boolean;
  readonly tokens: readonly string[];
  readonly promptTokens: number;
  readonly finishReason: 'stop' | 'length';
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Builds the simulator's HTTP server (node:http, no framework: it is on the benchmark's hot path).
 * See docs/simulator.md for the endpoints and knobs.
 */
export function createSimulatorServer(options: SimulatorOptions, logger: Logger = rootLogger().child({ component: 'simulator' })): SimulatorServer {
  const settings: SimulatorSettings = resolveSettings(options);
  let config: SimulatorRuntimeConfig = runtimeConfigOf(settings);
  const model = settings.model;
  const startedAt = performance.now();
  let stopping = false;
  // Separate streams of randomness so adding a failure draw does not change latency draws.
  const latencyRng = createRng(settings.seed ^ 0x5eed);
  const failureRng = createRng(settings.seed ^ 0xfa11);

  // The metrics read the engine at scrape time and the engine writes the metrics: tie the knot.
  const ref: { engine?: SimEngine } = {};
  const metrics = createSimulatorMetrics(model, {
    running: () => ref.engine?.runningCount ?? 0,
    waiting: () => ref.engine?.waitingLength ?? 0,
    kvCacheUsage: () => ref.engine?.kvCacheUsage() ?? 0,
  });
  const engine = new SimEngine(() => config, metrics, latencyRng, settings.maxModelLen);
  ref.engine = engine;

  /** Requests held open by the `timeout` failure: never answered, cut on shutdown. */
  const hung = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const ready = (): boolean => !stopping && performance.now() - startedAt >= settings.startupDelay;

  const sendJson = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const sendError = (res: ServerResponse, err: HttpError): void => {
    sendJson(res, err.status, errorBody(err.status, err.message, err.param), err.headers);
  };

  function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
    const r = schema.safeParse(body);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new HttpError(400, `invalid request: ${formatIssues(r.error)}`, first && first.path.length > 0 ? first.path.join('.') : null);
    }
    return r.data;
  }

  const checkModel = (name: string): void => {
    if (name !== model) throw new HttpError(404, `The model \`${name}\` does not exist.`, 'model');
  };

  /** Decides an injected failure for this request, if any. */
  const drawFailure = (): FailureType | undefined => {
    if (config.failureRate <= 0 || failureRng.next() >= config.failureRate) return undefined;
    return config.failureTypes[failureRng.int(config.failureTypes.length)];
  };

  /** Answers immediately for the failure types that need no generation. True when handled. */
  const injectEarly = (failure: FailureType | undefined, res: ServerResponse): boolean => {
    if (failure === 'server_error') {
      sendError(res, new HttpError(500, 'simulated server error (failure injection)'));
      return true;
    }
    if (failure === 'rate_limit') {
      sendError(res, new HttpError(429, 'simulated rate limit (failure injection)', null, { 'retry-after': '1' }));
      return true;
    }
    if (failure === 'timeout') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return true;
    }
    return false;
  };

  /** Output tokens for a request: echo of the prompt, or seeded text keyed by seed and request. */
  const outputFor = (promptText: string, promptTokens: number, requested: number | undefined, ignoreEos: boolean): { tokens: string[]; finishReason: 'stop' | 'length' } => {
    // Like a real server, never generate past the context window.
    const room = Math.max(0, settings.maxModelLen - promptTokens);
    const maxTokens = Math.min(requested ?? room, room);
    if (config.mode === 'echo') {
      let tokens = tokenize(promptText);
      if (ignoreEos && requested !== undefined) {
        // vLLM's ignore_eos generates exactly max_tokens; echo repeats the prompt to get there.
        const base = tokens.length > 0 ? tokens : ['.'];
        tokens = Array.from({ length: maxTokens }, (_, i) => base[i % base.length] ?? '.');
      }
      if (tokens.length > maxTokens) return { tokens: tokens.slice(0, maxTokens), finishReason: 'length' };
      return { tokens, finishReason: ignoreEos && requested !== undefined && tokens.length === maxTokens ? 'length' : 'stop' };
    }
    const rng: Rng = createRng(hashString(promptText, (settings.seed ^ 0x9e3779b9) >>> 0));
    const natural = config.outputTokens;
    const n = ignoreEos && requested !== undefined ? maxTokens : Math.min(natural, maxTokens);
    const finishReason = (ignoreEos && requested !== undefined) || maxTokens < natural ? 'length' : 'stop';
    return { tokens: randomTokens(rng, n), finishReason };
  };

  const checkContext = (promptTokens: number, maxTokens: number | undefined): void => {
    if (promptTokens + (maxTokens ?? 0) > settings.maxModelLen) {
      throw new HttpError(
        400,
        `This model's maximum context length is ${settings.maxModelLen} tokens. However, you requested ${promptTokens + (maxTokens ?? 0)} tokens (${promptTokens} in the messages, ${maxTokens ?? 0} in the completion).`,
        'messages',
      );
    }
  };

  function generate(req: IncomingMessage, res: ServerResponse, route: Route, stream: boolean, failure: FailureType | undefined): void {
    const { tokens, promptTokens, finishReason, includeUsage, kind, id, created } = route;
    const n = tokens.length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: n, total_tokens: promptTokens + n };
    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const head = `data: {"id":"${id}","object":"${object}","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,`;
    const tail = includeUsage ? '],"usage":null}\n\n' : ']}\n\n';
    let headersSent = false;

    const sink: GenerationSink = {
      tokens(from, to) {
        let out = '';
        if (!headersSent) {
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
          headersSent = true;
          if (kind === 'chat') out += `${head}"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}${tail}`;
        }
        for (let i = from; i < to; i++) {
          const t = JSON.stringify(tokens[i]);
          out += kind === 'chat' ? `${head}"delta":{"content":${t}},"logprobs":null,"finish_reason":null}${tail}` : `${head}"text":${t},"logprobs":null,"finish_reason":null}${tail}`;
        }
        return res.write(out);
      },
      finish() {
        if (!stream) {
          const choice =
            kind === 'chat'
              ? { index: 0, message: { role: 'assistant', content: tokens.join(''), tool_calls: [] }, logprobs: null, finish_reason: finishReason }
              : { index: 0, text: tokens.join(''), logprobs: null, finish_reason: finishReason };
          const body = { id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created, model, choices: [choice], usage };
          sendJson(res, 200, JSON.stringify(body));
          return;
        }
        let out = '';
        if (!headersSent) {
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
          headersSent = true;
          if (kind === 'chat') out += `${head}"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}${tail}`;
        }
        out +=
          kind === 'chat'
            ? `${head}"delta":{},"logprobs":null,"finish_reason":"${finishReason}"}${tail}`
            : `${head}"text":"","logprobs":null,"finish_reason":"${finishReason}"}${tail}`;
        if (includeUsage) {
          out += `data: {"id":"${id}","object":"${object}","created":${created},"model":${JSON.stringify(model)},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
        }
        out += 'data: [DONE]\n\n';
        res.end(out);
      },
      disconnect() {
        // The `disconnect` failure: the connection closes mid-response (no final chunk, no [DONE]).
        // Chunks already written are flushed first — destroying at once could drop them unsent.
        const socket = req.socket;
        if (headersSent) socket.end(() => socket.destroy());
        else socket.destroy();
      },
    };

    const spec = {
      promptTokens,
      outputTokens: n,
      finishReason,
      stream,
      ...(failure === 'disconnect' ? { disconnectAfter: stream ? Math.max(1, Math.floor(n / 2)) : n } : {}),
    };
    const handle: GenerationHandle | undefined = engine.submit(spec, sink);
    if (handle === undefined) {
      const status = config.queueFullStatus;
      sendError(res, new HttpError(status, `simulator queue is full (${config.maxNumSeqs} running, ${config.maxWaitingQueueLength} waiting)`, null, status === 429 ? { 'retry-after': '1' } : {}));
      return;
    }
    res.on('close', () => {
      if (!res.writableFinished) handle.cancel();
    });
    if (stream) res.on('drain', () => handle.resume());
  }

  function chat(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const r = parse(ChatCompletionRequest, body);
    checkModel(r.model);
    const promptTokens = r.messages.reduce((sum, m) => sum + countTokens(messageText(m.content)), 0);
    const maxTokens = r.max_completion_tokens ?? r.max_tokens ?? undefined;
    checkContext(promptTokens, maxTokens);
    const failure = drawFailure();
    if (injectEarly(failure, res)) return;
    let lastUser = '';
    for (let i = r.messages.length - 1; i >= 0; i--) {
      const m = r.messages[i];
      if (m?.role === 'user') {
        lastUser = messageText(m.content);
        break;
      }
    }
    const { tokens, finishReason } = outputFor(lastUser, promptTokens, maxTokens, r.ignore_eos === true);
    const route: Route = {
      kind: 'chat',
      id: `chatcmpl-${randomUUID().replaceAll('-', '')}`,
      created: Math.floor(Date.now() / 1000),
      includeUsage: r.stream_options?.include_usage === true,
      tokens,
      promptTokens,
      finishReason,
    };
    generate(req, res, route, r.stream === true, failure);
  }

  function completion(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const r = parse(CompletionRequest, body);
    checkModel(r.model);
    const text = completionPromptText(r.prompt);
    const promptTokens = Array.isArray(r.prompt) && typeof r.prompt[0] === 'number' ? r.prompt.length : countTokens(text);
    const maxTokens = r.max_tokens ?? undefined;
    checkContext(promptTokens, maxTokens);
    const failure = drawFailure();
    if (injectEarly(failure, res)) return;
    const { tokens, finishReason } = outputFor(text, promptTokens, maxTokens ?? 16, r.ignore_eos === true);
    const route: Route = {
      kind: 'completion',
      id: `cmpl-${randomUUID().replaceAll('-', '')}`,
      created: Math.floor(Date.now() / 1000),
      includeUsage: r.stream_options?.include_usage === true,
      tokens,
      promptTokens,
      finishReason,
    };
    generate(req, res, route, r.stream === true, failure);
  }

  function embeddings(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const r = parse(EmbeddingRequest, body);
    checkModel(r.model);
    const inputs: string[] =
      typeof r.input === 'string' ? [r.input]
      : r.input.length > 0 && typeof r.input[0] === 'number' ? [(r.input as number[]).join(' ')]
      : (r.input as (string | number[])[]).map((x) => (typeof x === 'string' ? x : x.join(' ')));
    const promptTokens = inputs.reduce((s, t) => s + countTokens(t), 0);
    const failure = drawFailure();
    if (injectEarly(failure, res)) return;
    const dims = r.dimensions ?? settings.embeddingDimensions;
    const base64 = r.encoding_format === 'base64';
    const data = inputs.map((text, index) => {
      const v = embeddingVector(text, dims, settings.seed);
      const embedding = base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v);
      return { object: 'embedding', index, embedding };
    });
    const payload = JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
    const delay = sampleTimeToFirstToken(config, promptTokens, engine.runningCount + 1, latencyRng);
    const send = (): void => {
      if (failure === 'disconnect') req.socket.destroy();
      else if (!res.destroyed) sendJson(res, 200, payload);
    };
    if (delay > 0) setTimeout(send, delay);
    else send();
    metrics.addPromptTokens(promptTokens);
  }

  const isAuthorized = (req: IncomingMessage): boolean =>
    settings.adminToken === undefined || req.headers.authorization === `Bearer ${settings.adminToken}`;

  function setConfig(patch: unknown): SimulatorRuntimeConfig {
    const r = SimulatorConfigPatch.safeParse(patch);
    if (!r.success) throw new HttpError(400, `invalid config: ${formatIssues(r.error)}`, r.error.issues[0]?.path.join('.') || null);
    const next = { ...config };
    for (const [k, v] of Object.entries(r.data)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    config = next;
    logger.info({ config }, 'simulator configuration changed');
    engine.pump();
    return runtimeConfigOf({ ...settings, ...config });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const method = req.method ?? 'GET';

    if (path === '/health' || path === '/ready') {
      res.writeHead(ready() ? 200 : 503, { 'content-length': 0 }).end();
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      return;
    }
    if (path === '/admin/config') {
      if (!isAuthorized(req)) throw new HttpError(401, 'admin token required');
      if (method === 'GET') return sendJson(res, 200, JSON.stringify(runtimeConfigOf({ ...settings, ...config })));
      if (method === 'PUT') return sendJson(res, 200, JSON.stringify(setConfig(await readJson(req))));
      throw new HttpError(405, `method ${method} not allowed on ${path}`, null, { allow: 'GET, PUT' });
    }
    if (path === '/v1/models' && method === 'GET') {
      const created = Math.floor(Date.now() / 1000);
      const data = [{ id: model, object: 'model', created, owned_by: 'ployd-simulator', root: model, parent: null, max_model_len: settings.maxModelLen }];
      return sendJson(res, 200, JSON.stringify({ object: 'list', data }));
    }
    const handler = path === '/v1/chat/completions' ? chat : path === '/v1/completions' ? completion : path === '/v1/embeddings' ? embeddings : undefined;
    if (handler === undefined) throw new HttpError(404, `no route ${method} ${path}`);
    if (method !== 'POST') throw new HttpError(405, `method ${method} not allowed on ${path}`, null, { allow: 'POST' });
    if (!ready()) throw new HttpError(503, stopping ? 'simulator is shutting down' : 'simulator is starting up');
    handler(req, res, await readJson(req));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof HttpError) sendError(res, err);
      else {
        logger.error({ err }, 'simulator request failed');
        sendError(res, new HttpError(500, 'internal simulator error'));
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function shutdown(graceMs = settings.gracePeriod): Promise<void> {
    if (!stopping) logger.info({ running: engine.runningCount, waiting: engine.waitingLength, graceMs }, 'simulator stopping');
    stopping = true;
    const closed = new Promise<void>((resolve) => {
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
    for (const res of hung) res.destroy();
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([engine.whenIdle(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    if (timer) clearTimeout(timer);
    engine.stop();
    for (const s of sockets) s.destroy();
    await closed;
  }

  return {
    server,
    settings,
    engine,
    metrics,
    getConfig: () => runtimeConfigOf({ ...settings, ...config }),
    setConfig: (patch) => {
      try {
        return setConfig(patch);
      } catch (err) {
        if (err instanceof HttpError) throw new PloydError('E_VALIDATION', err.message, { field: err.param });
        throw err;
      }
    },
    shutdown,
  };
}

/** Deterministic unit vector for a text: same seed and text, same vector. */
export function embeddingVector(text: string, dims: number, seed: number): Float32Array {
  const rng = createRng(hashString(text, (seed ^ 0xe5b3d) >>> 0));
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = rng.normal(0, 1);
    v[i] = x;
    norm += x * x;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; expected JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A listening simulator. */
export interface RunningSimulator {
  readonly url: string;
  readonly port: number;
  readonly settings: Readonly<SimulatorSettings>;
  getConfig(): SimulatorRuntimeConfig;
  setConfig(patch: SimulatorConfigPatch | Record<string, unknown>): SimulatorRuntimeConfig;
  /** Graceful stop (see SimulatorServer.shutdown); default grace is the configured grace period. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts a simulator and resolves once it listens. Use port 0 in tests.
 *
 * @example
 * const sim = await startSimulator({ model: 'llama-7b', port: 0, mode: 'echo', interTokenLatency: 5 });
 * const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'unused' });
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions, logger?: Logger): Promise<RunningSimulator> {
  const sim = createSimulatorServer(options, logger);
  const { host, port } = sim.settings;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PloydError('E_PORT_IN_USE', `simulator cannot listen on ${host}:${port}: port already in use`, { host, port })
          : new PloydError('E_IO', `simulator cannot listen on ${host}:${port}: ${err.message}`, { host, port }, { cause: err }),
      );
    };
    sim.server.once('error', onError);
    sim.server.listen(port, host, () => {
      sim.server.off('error', onError);
      resolve();
    });
  });
  const actual = (sim.server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${actual}`,
    port: actual,
    settings: sim.settings,
    getConfig: sim.getConfig,
    setConfig: sim.setConfig,
    close: (graceMs) => sim.shutdown(graceMs),
  };
}
