import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

/** A connection pool per upstream origin, with keep-alive; created on first use, kept across reloads. */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #options: Pool.Options;

  constructor(options: Pool.Options = {}) {
    this.#options = {
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      // Upstream headers/body timeouts are set per request from the route.
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: 5_000,
      pipelining: 1,
      ...options,
    };
  }

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, this.#options);
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes pools of origins no longer in the table; in-flight requests on them finish first. */
  retain(origins: ReadonlySet<string>): void {
    for (const [origin, pool] of this.#pools) {
      if (!origins.has(origin)) {
        this.#pools.delete(origin);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

/** Where a committed upstream response streams to (the client's ServerResponse, in practice). */
export interface ResponseSink {
  /** Returns false when the client's socket buffer is full: upstream reading pauses until `drain`. */
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** The outcome of an attempt before anything reached the client. */
export type AttemptOutcome =
  /** A whole response, buffered (non-streaming requests, and every non-2xx answer). */
  | { readonly type: 'buffered'; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer; readonly headersAt: number }
  /** A 2xx stream whose first chunk has arrived; `attach` starts forwarding to the client. */
  | { readonly type: 'stream'; readonly status: number; readonly headers: IncomingHttpHeaders; readonly headersAt: number; readonly call: UpstreamCall }
  | { readonly type: 'error'; readonly error: Error };

export interface AttemptOptions {
  readonly origin: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  /** Pass 2xx bodies chunk by chunk (SSE) instead of buffering them. */
  readonly stream: boolean;
  /** Time allowed until response headers (per-try timeout, capped by the overall deadline). */
  readonly headersTimeoutMs: number;
  /** Idle time allowed between body chunks. */
  readonly bodyTimeoutMs: number;
  /** Largest buffered body; beyond it the attempt fails. */
  readonly maxBufferedBytes: number;
}

export interface StreamEvents {
  onChunk(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
}

/**
 * One upstream request, as an undici dispatch handler: no intermediate streams on the hot path.
 * Resolves `outcome` when the attempt can be judged (whole body for buffered, first chunk for a
 * stream) so retries can still happen until then; after `attach`, chunks go straight to the sink
 * with backpressure (pause upstream reads while the client is slow).
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly outcome: Promise<AttemptOutcome>;
  #resolve!: (o: AttemptOutcome) => void;
  #settled = false;
  #controller: Dispatcher.DispatchController | undefined;
  #abortReason: Error | undefined;
  readonly #stream: boolean;
  readonly #max: number;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #headersAt = 0;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #streaming = false;
  #sink: ResponseSink | undefined;
  #events: StreamEvents | undefined;
  #ended = false;
  #error: Error | undefined;

  constructor(stream: boolean, maxBufferedBytes: number) {
    this.#stream = stream;
    this.#max = maxBufferedBytes;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
  }

  #settle(o: AttemptOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(o);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.#status = statusCode;
    this.#headers = headers;
    this.#headersAt = performance.now();
    this.#streaming = this.#stream && statusCode >= 200 && statusCode < 300;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#streaming) {
      if (this.#sink) {
        this.#events?.onChunk(chunk);
        if (!this.#sink.write(chunk)) {
          controller.pause();
          this.#sink.once('drain', () => controller.resume());
        }
        return;
      }
      this.#chunks.push(chunk);
      // The first chunk decides the attempt: from here on the client gets bytes, no more retries.
      this.#settle({ type: 'stream', status: this.#status, headers: this.#headers, headersAt: this.#headersAt, call: this });
      return;
    }
    this.#bytes += chunk.length;
    if (this.#bytes > this.#max) {
      controller.abort(new Error(`upstream body exceeds ${this.#max} bytes`));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#ended = true;
    if (this.#streaming) {
      if (!this.#settled) {
        // A 2xx stream with an empty body: nothing to retry, hand it over as a stream that ends at once.
        this.#settle({ type: 'stream', status: this.#status, headers: this.#headers, headersAt: this.#headersAt, call: this });
      }
      if (this.#sink) this.#events?.onEnd();
      return;
    }
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#settle({ type: 'buffered', status: this.#status, headers: this.#headers, body, headersAt: this.#headersAt });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.#error = err;
    if (!this.#settled) {
      this.#settle({ type: 'error', error: err });
      return;
    }
    if (this.#sink) this.#events?.onError(err);
  }

  /** Starts forwarding a committed stream: flushes the chunks held so far, then passes the rest through. */
  attach(sink: ResponseSink, events: StreamEvents): void {
    this.#sink = sink;
    this.#events = events;
    const held = this.#chunks;
    this.#chunks = [];
    let ok = true;
    for (const c of held) {
      events.onChunk(c);
      ok = sink.write(c);
    }
    if (!ok && !this.#ended) {
      const c = this.#controller;
      c?.pause();
      sink.once('drain', () => c?.resume());
    }
    if (this.#error) events.onError(this.#error);
    else if (this.#ended) events.onEnd();
  }

  abort(reason: Error): void {
    if (this.#controller) this.#controller.abort(reason);
    else this.#abortReason = reason;
    if (!this.#settled) this.#settle({ type: 'error', error: reason });
  }
}

/** Sends one attempt upstream. */
export function startAttempt(pools: UpstreamPools, opts: AttemptOptions): UpstreamCall {
  const call = new UpstreamCall(opts.stream, opts.maxBufferedBytes);
  try {
    pools.get(opts.origin).dispatch(
      {
        origin: opts.origin,
        path: opts.path,
        method: 'POST',
        headers: opts.headers as Record<string, string>,
        body: opts.body,
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
      },
      call,
    );
  } catch (err) {
    call.onResponseError(undefined as never, err as Error);
  }
  return call;
}
