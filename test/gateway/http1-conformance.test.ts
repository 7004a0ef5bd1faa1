import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { route } from './helpers.ts';

/**
 * HTTP/1.1 protocol conformance of the gateway listener, on raw sockets. Written against the
 * node:http listener (node is the oracle) so that a replacement listener can be held to the same
 * wire behaviour: framing, keep-alive, pipelining, smuggling guards, limits and timeouts.
 */

interface RawResponse {
  readonly status: number;
  readonly statusLine: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** Chunked responses: the decoded chunks, in order (the terminating 0-length chunk excluded). */
  readonly chunks?: Buffer[];
  readonly trailers?: Record<string, string>;
}

const CRLF = Buffer.from('\r\n');

function parseFields(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/** Decodes a chunked body at `from`; undefined while incomplete. Strict: a framing error throws. */
function parseChunked(buf: Buffer, from: number): { chunks: Buffer[]; trailers: Record<string, string>; end: number } | undefined {
  const chunks: Buffer[] = [];
  let pos = from;
  for (;;) {
    const eol = buf.indexOf(CRLF, pos);
    if (eol < 0) return undefined;
    const sizeText = buf.toString('latin1', pos, eol).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size ${JSON.stringify(sizeText)}`);
    const size = parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) {
      const trailerLines: string[] = [];
      for (;;) {
        const tEol = buf.indexOf(CRLF, pos);
        if (tEol < 0) return undefined;
        const line = buf.toString('latin1', pos, tEol);
        pos = tEol + 2;
        if (line === '') return { chunks, trailers: parseFields(trailerLines), end: pos };
        trailerLines.push(line);
      }
    }
    if (buf.length < pos + size + 2) return undefined;
    chunks.push(buf.subarray(pos, pos + size));
    if (!buf.subarray(pos + size, pos + size + 2).equals(CRLF)) throw new Error('chunk not followed by CRLF');
    pos += size + 2;
  }
}

/** One response from the front of `buf`, or undefined while incomplete. `closed`: no more bytes will come. */
function parseResponse(buf: Buffer, closed: boolean, method: string): { res: RawResponse; end: number } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = buf.toString('latin1', 0, headEnd).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine!);
  if (!m) throw new Error(`malformed status line ${JSON.stringify(statusLine)}`);
  const status = Number(m[1]);
  const headers = parseFields(lines);
  const start = headEnd + 4;
  const head = { status, statusLine: statusLine!, headers };
  if ((status >= 100 && status < 200) || status === 204 || status === 304 || method === 'HEAD') {
    return { res: { ...head, body: Buffer.alloc(0) }, end: start };
  }
  if (headers['transfer-encoding'] !== undefined) {
    expect(headers['transfer-encoding'].toLowerCase()).toBe('chunked');
    const c = parseChunked(buf, start);
    if (!c) return undefined;
    return { res: { ...head, body: Buffer.concat(c.chunks), chunks: c.chunks, trailers: c.trailers }, end: c.end };
  }
  if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    if (buf.length < start + len) return undefined;
    return { res: { ...head, body: buf.subarray(start, start + len) }, end: start + len };
  }
  // Neither framing: the body runs to the close.
  if (!closed) return undefined;
  return { res: { ...head, body: buf.subarray(start) }, end: buf.length };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A raw client connection that reads responses one at a time and notices the server closing. */
class RawConn {
  #buf = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  closed = false;
  readonly openedAt = Date.now();
  closedAfterMs = -1;
  /** Every byte the server sent, for the "anything written before the close?" checks. */
  all = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.all = Buffer.concat([this.all, d]);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.closedAfterMs = Date.now() - this.openedAt;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Writes `data` in pieces of `size` bytes with `gapMs` between them (0: next macrotask). */
  async writeSlowly(data: string | Buffer, size: number, gapMs: number): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (let i = 0; i < b.length; i += size) {
      this.write(b.subarray(i, i + size));
      await (gapMs > 0 ? sleep(gapMs) : new Promise<void>((r) => setImmediate(r)));
    }
  }

  #waitForEvent(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = undefined;
        resolve(true);
      };
    });
  }

  /** The next response on the connection; throws if the server closes or is silent for `timeoutMs`. */
  async response(method = 'GET', timeoutMs = 5000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.#buf, this.closed, method);
      if (parsed) {
        this.#buf = this.#buf.subarray(parsed.end);
        return parsed.res;
      }
      if (this.closed) throw new Error(`connection closed before a full response; got ${JSON.stringify(this.#buf.toString('latin1'))}`);
      if (!(await this.#waitForEvent(deadline))) throw new Error(`no full response within ${timeoutMs} ms; got ${JSON.stringify(this.#buf.toString('latin1'))}`);
    }
  }

  /** True if the server closed the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed) if (!(await this.#waitForEvent(deadline))) break;
    return this.closed;
  }

  /** Bytes received and not yet taken by response(). */
  get pending(): string {
    return this.#buf.toString('latin1');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const CHAT = '/v1/chat/completions';
const chatBody = (model = 'm', extra: Record<string, unknown> = {}) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

/** A complete POST of a JSON chat request with a Content-Length. */
function chatRequest(opts: { model?: string; requestId?: string; version?: string; headers?: string; extra?: Record<string, unknown> } = {}): string {
  const body = chatBody(opts.model, opts.extra);
  const id = opts.requestId ? `X-Request-Id: ${opts.requestId}\r\n` : '';
  return `POST ${CHAT} HTTP/${opts.version ?? '1.1'}\r\nHost: gw\r\nContent-Type: application/json\r\n${id}${opts.headers ?? ''}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Chat request head without framing headers; the caller adds them and the body. */
const chatHead = (framing: string) => `POST ${CHAT} HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n${framing}\r\n`;

function json(res: RawResponse): Record<string, unknown> {
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
}

function expectChatOk(res: RawResponse, model = 'm'): void {
  expect(res.status).toBe(200);
  const b = json(res) as { object: string; model: string };
  expect(b.object).toBe('chat.completion');
  expect(b.model).toBe(model);
}

describe('gateway listener: HTTP/1.1 conformance on raw sockets', () => {
  let up: FakeUpstream;
  let gw: Gateway;
  let port: number;
  const opened: RawConn[] = [];
  const open = async () => {
    const c = await RawConn.open(port);
    opened.push(c);
    return c;
  };

  /** Sends one request on a fresh connection; returns the response and whether the server then closed. */
  async function once(data: string | Buffer, closeWithinMs = 2000): Promise<{ res: RawResponse; closed: boolean; conn: RawConn }> {
    const c = await open();
    c.write(data);
    const res = await c.response();
    return { res, closed: await c.closesWithin(closeWithinMs), conn: c };
  }

  /** The gateway still answers a normal request on a new connection. */
  async function stillServes(): Promise<void> {
    const c = await open();
    c.write(chatRequest());
    expectChatOk(await c.response('POST'));
    c.destroy();
  }

  beforeAll(async () => {
    up = await startFakeUpstream('up');
    gw = createGateway({
      logger: createLogger({ level: 'silent' }),
      limits: { maxBodyBytes: 1024, headersTimeoutMs: 400, requestTimeoutMs: 800, connectionsCheckingIntervalMs: 100, maxHeaderBytes: 4096, keepAliveTimeoutMs: 500 },
    });
    gw.publish({ routes: [route('r', { path: '/v1', models: [{ name: 'up', url: up.url }] })], deployments: [], endpoints: [] });
    port = (await gw.listen(0)).port;
  });
  afterAll(async () => {
    for (const c of opened) c.destroy();
    await gw.close();
    await up.close();
  });

  describe('framing and connection management', () => {
    it('keep-alive: three sequential requests on one socket, buffered answers with Date and Content-Length', async () => {
      const c = await open();
      for (let i = 0; i < 3; i++) {
        c.write(chatRequest());
        const res = await c.response('POST');
        expectChatOk(res);
        expect(res.headers.date).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
        expect(Number(res.headers['content-length'])).toBe(res.body.length);
        expect(res.headers['transfer-encoding']).toBeUndefined();
        expect(c.closed).toBe(false);
      }
      expect(await c.closesWithin(100)).toBe(false);
    });

    it('pipelining: three requests in one write get three responses in order', async () => {
      const c = await open();
      c.write([1, 2, 3].map((i) => chatRequest({ model: `m${i}`, requestId: `pipe-${i}` })).join(''));
      for (let i = 1; i <= 3; i++) {
        const res = await c.response('POST');
        expectChatOk(res, `m${i}`);
        expect(res.headers['x-request-id']).toBe(`pipe-${i}`);
      }
      expect(c.closed).toBe(false);
    });

    it('a request split byte by byte (head and body) is answered', async () => {
      const c = await open();
      await c.writeSlowly(chatRequest({ requestId: 'split-1' }), 1, 0);
      const res = await c.response('POST');
      expectChatOk(res);
      expect(res.headers['x-request-id']).toBe('split-1');
    });

    it('a request split into small pieces with pauses is answered', async () => {
      const c = await open();
      await c.writeSlowly(chatRequest(), 9, 3);
      expectChatOk(await c.response('POST'));
    });

    it('chunked request body with chunk extensions and a trailer section, split across writes', async () => {
      const body = chatBody();
      const chunked = `5;foo=bar\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)};a;b="q"\r\n${body.slice(5)}\r\n0\r\nX-Trailer: yes\r\n\r\n`;
      const c = await open();
      c.write(chatHead('Transfer-Encoding: chunked\r\n'));
      await c.writeSlowly(chunked, 4, 0);
      expectChatOk(await c.response('POST'));
      // The connection is reusable after a chunked request.
      c.write(chatRequest());
      expectChatOk(await c.response('POST'));
    });

    it('HTTP/1.0 without keep-alive: answered, then closed', async () => {
      const { res, closed } = await once(chatRequest({ version: '1.0' }));
      expectChatOk(res);
      expect(closed).toBe(true);
    });

    it('HTTP/1.0 with Connection: keep-alive: stays open for a second request', async () => {
      const c = await open();
      c.write(chatRequest({ version: '1.0', headers: 'Connection: keep-alive\r\n' }));
      expectChatOk(await c.response('POST'));
      expect(await c.closesWithin(100)).toBe(false);
      c.write(chatRequest({ version: '1.0', headers: 'Connection: keep-alive\r\n' }));
      expectChatOk(await c.response('POST'));
    });

    it('an upgrade request (h2c, as curl --http2 asks) is answered as HTTP/1.1, then closed', async () => {
      const { res, closed } = await once(chatRequest({ headers: 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n' }));
      expectChatOk(res);
      expect(res.headers.connection?.toLowerCase()).toBe('close');
      expect(closed).toBe(true);
    });

    it('Connection: close on HTTP/1.1: answered, then closed', async () => {
      const { res, closed } = await once(chatRequest({ headers: 'Connection: close\r\n' }));
      expectChatOk(res);
      expect(res.headers.connection?.toLowerCase()).toBe('close');
      expect(closed).toBe(true);
    });

    it('Expect: 100-continue: 100 Continue first, the final answer after the body', async () => {
      const body = chatBody();
      const c = await open();
      c.write(chatHead(`Expect: 100-continue\r\nContent-Length: ${body.length}\r\n`));
      const interim = await c.response('POST');
      expect(interim.statusLine).toBe('HTTP/1.1 100 Continue');
      c.write(body);
      expectChatOk(await c.response('POST'));
    });

    it('an idle keep-alive connection is closed by the server', async () => {
      const c = await open();
      c.write('GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n');
      expect((await c.response()).status).toBe(200);
      // keepAliveTimeoutMs is 500; node adds its own slack. Generous bound only.
      expect(await c.closesWithin(5000)).toBe(true);
    });
  });

  describe('request smuggling guards: 400 and the connection closed', () => {
    const body = chatBody();
    const cases: [string, string][] = [
      ['Content-Length and Transfer-Encoding together', chatHead(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`) + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
      ['two different Content-Length values', chatHead(`Content-Length: ${body.length}\r\nContent-Length: ${body.length + 1}\r\n`) + body],
      ['non-numeric Content-Length', chatHead('Content-Length: abc\r\n') + body],
      ['negative Content-Length', chatHead('Content-Length: -5\r\n') + body],
      ['Content-Length with a sign', chatHead(`Content-Length: +${body.length}\r\n`) + body],
      ['Transfer-Encoding: identity', chatHead(`Transfer-Encoding: identity\r\nContent-Length: ${body.length}\r\n`) + body],
      ['Transfer-Encoding not ending in chunked', chatHead('Transfer-Encoding: chunked, gzip\r\n') + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
      ['whitespace between header name and colon', chatHead(`Content-Length: ${body.length}\r\nX-Foo : bar\r\n`) + body],
      ['obs-fold continuation line', chatHead(`Content-Length: ${body.length}\r\nX-Foo: bar\r\n baz\r\n`) + body],
      ['NUL in a header value', chatHead(`Content-Length: ${body.length}\r\nX-Foo: b\0ar\r\n`) + body],
      ['bare CR in a header value', chatHead(`Content-Length: ${body.length}\r\nX-Foo: b\rar\r\n`) + body],
      ['non-hex chunk size', chatHead('Transfer-Encoding: chunked\r\n') + `zz\r\n${body}\r\n0\r\n\r\n`],
    ];
    for (const [name, request] of cases) {
      it(name, async () => {
        const { res, closed } = await once(request);
        expect(res.status).toBe(400);
        expect(closed).toBe(true);
      });
    }

    it('the gateway still serves afterwards', stillServes);
  });

  describe('malformed request lines and missing Host', () => {
    it('garbage request line: 400, closed', async () => {
      const { res, closed } = await once('HELLO THERE\r\n\r\n');
      expect(res.status).toBe(400);
      expect(closed).toBe(true);
    });

    it('HTTP/1.2: 400 or 505, closed', async () => {
      const { res, closed } = await once('GET /healthz HTTP/1.2\r\nHost: gw\r\n\r\n');
      expect([400, 505]).toContain(res.status);
      expect(closed).toBe(true);
    });

    it('HTTP/1.1 without Host: 400, closed', async () => {
      const { res, closed } = await once('GET /healthz HTTP/1.1\r\n\r\n');
      expect(res.status).toBe(400);
      expect(closed).toBe(true);
    });

    it('the gateway still serves afterwards', stillServes);
  });

  describe('limits and timeouts', () => {
    it('headers larger than maxHeaderBytes: 431, closed', async () => {
      const { res, closed } = await once(`GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
      expect(res.status).toBe(431);
      expect(closed).toBe(true);
    });

    it('declared body larger than maxBodyBytes: 413 OpenAI error, closed', async () => {
      const { res, closed } = await once(chatHead('Content-Length: 4096\r\n') + 'a'.repeat(100));
      expect(res.status).toBe(413);
      expect(json(res)).toMatchObject({ error: { code: 'E_BODY_TOO_LARGE', type: 'invalid_request_error' } });
      expect(closed).toBe(true);
    });

    it('chunked body larger than maxBodyBytes: 413 OpenAI error, closed', async () => {
      const { res, closed } = await once(chatHead('Transfer-Encoding: chunked\r\n') + `800\r\n${'a'.repeat(2048)}\r\n0\r\n\r\n`);
      expect(res.status).toBe(413);
      expect(json(res)).toMatchObject({ error: { code: 'E_BODY_TOO_LARGE', type: 'invalid_request_error' } });
      expect(closed).toBe(true);
    });

    it('slowloris: headers never finished → 408 or closed, within a few seconds', async () => {
      const c = await open();
      c.write(`POST ${CHAT} HTTP/1.1\r\nHost: gw\r\nX-Slow: `);
      expect(await c.closesWithin(4000)).toBe(true);
      expect(c.all.toString('latin1')).toMatch(/^$|^HTTP\/1\.1 408 /);
    });

    it('body never finished (Content-Length larger than sent) → 408 or closed, within a few seconds', async () => {
      const c = await open();
      c.write(chatHead('Content-Length: 100\r\n') + '{"mo');
      expect(await c.closesWithin(4000)).toBe(true);
      expect(c.all.toString('latin1')).toMatch(/^$|^HTTP\/1\.1 408 /);
    });

    it('the gateway still serves afterwards', stillServes);
  });

  describe('streaming', () => {
    it('stream: true → chunked text/event-stream ending in data: [DONE], then the socket is reusable', async () => {
      const c = await open();
      c.write(chatRequest({ extra: { stream: true } }));
      const res = await c.response('POST');
      expect(res.status).toBe(200);
      expect(res.headers['transfer-encoding']?.toLowerCase()).toBe('chunked');
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['content-length']).toBeUndefined();
      const events = res.body
        .toString('utf8')
        .split('\n\n')
        .filter((e) => e !== '');
      expect(events.length).toBe(up.chunks + 1);
      for (const e of events.slice(0, -1)) expect((JSON.parse(e.slice('data: '.length)) as { object: string }).object).toBe('chat.completion.chunk');
      expect(events.at(-1)).toBe('data: [DONE]');
      c.write(chatRequest());
      expectChatOk(await c.response('POST'));
    });

    it('stream to an HTTP/1.0 client: no chunked framing (1.0 has none), the body ends with the connection', async () => {
      const c = await open();
      c.write(chatRequest({ version: '1.0', headers: 'Connection: keep-alive\r\n', extra: { stream: true } }));
      expect(await c.closesWithin(5000)).toBe(true);
      const text = c.pending;
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).toLowerCase();
      expect(head).toMatch(/^http\/1\.1 200 /);
      expect(head).not.toContain('transfer-encoding');
      expect(head).not.toContain('content-length');
      expect(head).toContain('connection: close');
      const events = text
        .slice(split + 4)
        .split('\n\n')
        .filter((e) => e !== '');
      expect(events.length).toBe(up.chunks + 1);
      expect(events.at(-1)).toBe('data: [DONE]');
    });

    it('a client that disconnects mid-stream leaves the gateway serving', async () => {
      const saved = { chunks: up.chunks, interval: up.chunkIntervalMs };
      up.chunks = 200;
      up.chunkIntervalMs = 10;
      try {
        const c = await open();
        c.write(chatRequest({ extra: { stream: true } }));
        const deadline = Date.now() + 5000;
        while (!c.pending.includes('data: ') && Date.now() < deadline) await sleep(10);
        expect(c.pending).toMatch(/^HTTP\/1\.1 200 /);
        c.destroy();
      } finally {
        up.chunks = saved.chunks;
        up.chunkIntervalMs = saved.interval;
      }
      await stillServes();
    });
  });

  describe('plain endpoints on the raw socket', () => {
    it('unknown path: 404 OpenAI error JSON, connection kept', async () => {
      const c = await open();
      c.write('GET /v1/nothing HTTP/1.1\r\nHost: gw\r\n\r\n');
      const res = await c.response();
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(json(res)).toMatchObject({ error: { code: 'E_ROUTE_NOT_FOUND', type: 'not_found_error' } });
      c.write('GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n');
      expect((await c.response()).status).toBe(200);
    });

    it('GET /healthz: 200 ok', async () => {
      const c = await open();
      c.write('GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n');
      const res = await c.response();
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('ok');
    });

    it('GET /v1/models: the model list', async () => {
      const c = await open();
      c.write('GET /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n');
      const res = await c.response();
      expect(res.status).toBe(200);
      expect(json(res)).toMatchObject({ object: 'list', data: [{ id: 'up', object: 'model' }] });
    });
  });

  /**
   * Where node:http differs from the stricter behaviour this suite was asked for. Pinned to what
   * node does so the suite passes against it; each is an open decision for the replacement
   * listener (see the conformance report): change the expectation there, deliberately.
   */
  // node:http (the gateway's former listener) reads `gzip, chunked` as chunked and ignoring the
  // gzip, and serves `HTTP/2.0` like HTTP/1.0; the gateway's own parser refuses both.
  describe('codings and versions the gateway does not speak', () => {
    it('Transfer-Encoding: gzip, chunked: 501 and close (the gateway does not undo gzip)', async () => {
      const body = chatBody();
      const { res, closed } = await once(chatHead('Transfer-Encoding: gzip, chunked\r\n') + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`, 300);
      expect(res.status).toBe(501);
      expect(closed).toBe(true);
    });

    it('HTTP/2.0 in the request line: 505 and close', async () => {
      const { res, closed } = await once('GET /healthz HTTP/2.0\r\nHost: gw\r\n\r\n');
      expect(res.status).toBe(505);
      expect(closed).toBe(true);
    });

    it('the gateway still serves afterwards', stillServes);
  });
});
