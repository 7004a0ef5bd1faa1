import { once, EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHeader, UpstreamCall, UpstreamPools, type AttemptOutcome, type ResponseSink } from './proxy.ts';

const CHUNK = Buffer.alloc(16 * 1024, 'x');
const CHUNKS = 64;

let server: Server;
let origin: string;
const pools = new UpstreamPools();

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const more = (): void => {
        while (i < CHUNKS) {
          i++;
          if (!res.write(CHUNK)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
      return;
    }
    res.writeHead(429, [['Content-Type', 'application/json'], ['Retry-After', '2'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
    res.end('{"error":{}}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await pools.close();
  server.close();
});

/** Starts one call and resolves with its outcome. */
function attempt(path: string, stream: boolean): { call: UpstreamCall; outcome: Promise<AttemptOutcome> } {
  let settle!: (o: AttemptOutcome) => void;
  const outcome = new Promise<AttemptOutcome>((r) => (settle = r));
  const call = new UpstreamCall(stream, 1 << 20, { attemptSettled: (_c, o) => settle(o) });
  call.dispatch(pools, { origin, path, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 });
  return { call, outcome };
}

describe('UpstreamCall (undici callback handler)', () => {
  it('buffers a whole answer and keeps the raw headers, duplicates included', async () => {
    const o = await attempt('/answer', false).outcome;
    expect(o.type).toBe('buffered');
    if (o.type !== 'buffered') return;
    expect(o.status).toBe(429);
    expect(o.body.toString()).toBe('{"error":{}}');
    expect(rawHeader(o.rawHeaders, 'retry-after')).toBe('2');
    expect(rawHeader(o.rawHeaders, 'x-missing')).toBeUndefined();
    const cookies = o.rawHeaders.filter((_, i) => i % 2 === 0 && o.rawHeaders[i]!.toString('latin1').toLowerCase() === 'set-cookie');
    expect(cookies).toHaveLength(2);
  });

  it('settles synchronously with the reason when aborted before the connection', () => {
    const seen: AttemptOutcome[] = [];
    const call = new UpstreamCall(false, 1 << 20, { attemptSettled: (_c, o) => seen.push(o) });
    call.abort(new Error('client disconnected'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'error', error: { message: 'client disconnected' } });
    // A second settlement is never reported.
    call.onError(new Error('late'));
    expect(seen).toHaveLength(1);
  });

  it('stops reading the upstream while the sink is full and resumes on drain', async () => {
    const { call, outcome } = attempt('/stream', true);
    const o = await outcome;
    expect(o.type).toBe('stream');
    let received = 0;
    let full = false;
    const sink = Object.assign<EventEmitter, Pick<ResponseSink, 'write'>>(new EventEmitter(), {
      write(c: Buffer): boolean {
        received += c.length;
        full = true;
        return false; // always full until the test drains it
      },
    });
    const ended = new Promise<void>((resolve, reject) => call.attach(sink, { onEnd: resolve, onError: reject }));
    let finished = false;
    void ended.then(() => (finished = true));
    const total = CHUNK.length * CHUNKS;
    // Drain one write at a time: every drain lets exactly the reads up to the next full write through.
    let drains = 0;
    while (!finished) {
      await new Promise((r) => setTimeout(r, 5));
      const before = received;
      await new Promise((r) => setTimeout(r, 20));
      // Paused: nothing arrives until the sink drains.
      expect(received).toBe(before);
      if (full) {
        full = false;
        drains++;
        sink.emit('drain');
      }
      if (drains > 10_000) throw new Error('stream never ended');
    }
    expect(received).toBe(total);
    expect(drains).toBeGreaterThan(1);
  });

  it('counts the chunks of a stream and keeps its last ones, newest first', async () => {
    const { call, outcome } = attempt('/stream', true);
    expect((await outcome).type).toBe('stream');
    const parts: Buffer[] = [];
    const sink = Object.assign<EventEmitter, Pick<ResponseSink, 'write'>>(new EventEmitter(), {
      write(c: Buffer): boolean {
        parts.push(c);
        return true;
      },
    });
    await new Promise<void>((resolve, reject) => call.attach(sink, { onEnd: resolve, onError: reject }));
    expect(call.chunksForwarded).toBe(parts.length);
    expect(call.lastChunks()).toEqual(parts.slice(-4).reverse());
  });
});
