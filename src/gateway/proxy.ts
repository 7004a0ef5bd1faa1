import type { OutgoingHttpHeaders } from 'node:http';
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

/** Where a committed upstream response streams to (the client's Http1Response, in practice). */
export interface ResponseSink {
  /** Returns false when the client's socket buffer is full: upstream reading pauses until `drain`. */
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** The outcome of an attempt before anything reached the client. */
export type AttemptOutcome =
  /** A whole response, buffered (non-streaming requests, and every non-2xx answer). */
  | { readonly type: 'buffered'; readonly status: number; readonly rawHeaders: readonly Buffer[]; readonly body: Buffer; readonly headersAt: number }
  /** A 2xx stream whose first chunk has arrived; `attach` starts forwarding to the client. */
  | { readonly type: 'stream'; readonly status: number; readonly rawHeaders: readonly Buffer[]; readonly headersAt: number; readonly call: UpstreamCall }
  | { readonly type: 'error'; readonly error: Error };

/** The value of one header in undici's raw header list (name, value, name, value, ...), first occurrence. */
export function rawHeader(raw: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === name.length && k.toString('latin1').toLowerCase() === name) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}

export interface AttemptOptions {
  readonly origin: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  /** Time allowed until response headers (per-try timeout, capped by the overall deadline). */
  readonly headersTimeoutMs: number;
  /** Idle time allowed between body chunks. */
  readonly bodyTimeoutMs: number;
}

export interface StreamEvents {
  onEnd(): void;
  onError(err: Error): void;
}

/** Told once per call when the attempt can be judged; may be called synchronously from `abort` or `dispatch`. */
export interface AttemptListener {
  attemptSettled(call: UpstreamCall, outcome: AttemptOutcome): void;
}

const NO_HEADERS: readonly Buffer[] = [];

/** How many of a stream's last chunks a call keeps (a power of two): see `lastChunks`. */
const RECENT = 4;

/**
 * One upstream request, as an undici dispatch handler: no intermediate streams on the hot path.
 * It uses undici's callback handler interface (onConnect/onHeaders/onData/onComplete/onError):
 * undici's core speaks it natively, so there is no adapter object per request and the response
 * headers stay the raw name/value buffers (no object built and parsed per response; the gateway
 * copies them straight into its own answer). Tells its listener when the attempt can be judged
 * (whole body for buffered, first chunk for a stream) so retries can still happen until then; after
 * `attach`, chunks go straight to the sink with backpressure (pause upstream reads while the client
 * is slow).
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly #listener: AttemptListener;
  #settled = false;
  #abort: ((err?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #abortReason: Error | undefined;
  readonly #stream: boolean;
  readonly #max: number;
  #status = 0;
  #raw: readonly Buffer[] = NO_HEADERS;
  #headersAt = 0;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #streaming = false;
  #sink: ResponseSink | undefined;
  #events: StreamEvents | undefined;
  #ended = false;
  #error: Error | undefined;
  /** Reading is paused (or is to pause at the next chunk) until the sink drains. */
  #pausing = false;
  #onDrain: (() => void) | undefined;
  /** Chunks of a committed stream passed to the sink. */
  #forwarded = 0;
  /** The last RECENT of them, newest at `#forwarded - 1` (mod RECENT); made at `attach`. */
  #recent: Buffer[] | undefined;

  constructor(stream: boolean, maxBufferedBytes: number, listener: AttemptListener) {
    this.#stream = stream;
    this.#max = maxBufferedBytes;
    this.#listener = listener;
  }

  /** Sends the request upstream. Everything the listener needs must be set up before this call. */
  dispatch(pools: UpstreamPools, opts: AttemptOptions): void {
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
        this,
      );
    } catch (err) {
      this.onError(err as Error);
    }
  }

  #settle(o: AttemptOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#listener.attemptSettled(this, o);
  }

  #waitDrain(sink: ResponseSink): void {
    if (this.#pausing) return;
    this.#pausing = true;
    sink.once(
      'drain',
      (this.#onDrain ??= () => {
        this.#pausing = false;
        this.#resume?.();
      }),
    );
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#abortReason) abort(this.#abortReason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.#status = statusCode;
    this.#raw = rawHeaders;
    this.#resume = resume;
    this.#headersAt = performance.now();
    this.#streaming = this.#stream && statusCode >= 200 && statusCode < 300;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#streaming) {
      const sink = this.#sink;
      if (sink) {
        this.#recent![this.#forwarded++ & (RECENT - 1)] = chunk;
        if (!sink.write(chunk)) this.#waitDrain(sink);
        return !this.#pausing;
      }
      this.#chunks.push(chunk);
      // The first chunk decides the attempt: from here on the client gets bytes, no more retries.
      this.#settle({ type: 'stream', status: this.#status, rawHeaders: this.#raw, headersAt: this.#headersAt, call: this });
      return !this.#pausing;
    }
    this.#bytes += chunk.length;
    if (this.#bytes > this.#max) {
      this.#abort?.(new Error(`upstream body exceeds ${this.#max} bytes`));
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.#ended = true;
    if (this.#streaming) {
      if (!this.#settled) {
        // A 2xx stream with an empty body: nothing to retry, hand it over as a stream that ends at
        // once (attach sees #ended and ends it).
        this.#settle({ type: 'stream', status: this.#status, rawHeaders: this.#raw, headersAt: this.#headersAt, call: this });
        return;
      }
      if (this.#sink) this.#events?.onEnd();
      return;
    }
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#settle({ type: 'buffered', status: this.#status, rawHeaders: this.#raw, body, headersAt: this.#headersAt });
  }

  onError(err: Error): void {
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
    this.#recent = new Array<Buffer>(RECENT);
    let ok = true;
    for (const c of held) {
      this.#recent[this.#forwarded++ & (RECENT - 1)] = c;
      ok = sink.write(c);
    }
    // Inside onData this makes it return false (undici pauses); otherwise the next chunk does.
    if (!ok && !this.#ended) this.#waitDrain(sink);
    if (this.#error) events.onError(this.#error);
    else if (this.#ended) events.onEnd();
  }

  /** Chunks of the stream passed to the sink so far. */
  get chunksForwarded(): number {
    return this.#forwarded;
  }

  /**
   * The stream's last chunks (up to 4), newest first. Kept so that what is only needed at the end
   * (the usage event, just before `data: [DONE]`) is looked for once then, not in every chunk as it
   * passes: the per-chunk path does nothing but count, keep a reference and write.
   */
  lastChunks(): Buffer[] {
    const out: Buffer[] = [];
    const n = Math.min(this.#forwarded, RECENT);
    for (let k = 1; k <= n; k++) out.push(this.#recent![(this.#forwarded - k) & (RECENT - 1)]!);
    return out;
  }

  abort(reason: Error): void {
    if (this.#abort) this.#abort(reason);
    else this.#abortReason = reason;
    if (!this.#settled) this.#settle({ type: 'error', error: reason });
  }
}
