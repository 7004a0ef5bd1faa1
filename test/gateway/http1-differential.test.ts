import { createServer, METHODS, type IncomingHttpHeaders, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http1Server } from '../../src/gateway/http1/index.ts';

/**
 * Differential fuzzing of the gateway's HTTP/1.1 listener against node's (llhttp). The same bytes
 * go to both on fresh raw sockets; the requests each one answered 200 are compared in order. Ours
 * may refuse what node accepts (it is stricter by design), but every request it accepted must be
 * one node framed the same way (same method, target and body bytes, at the same position):
 * anything else means the two parsers disagree on where a message ends, which is what request
 * smuggling lives on.
 *
 * node:http has one timing quirk: a parse error later in a pipelined stream makes it answer 400 at
 * once and drop earlier requests whose body 'end' had not been emitted yet. So where ours answered
 * more than node:http did, llhttp itself (node's parser, driven directly with node's settings) is
 * the reference for the extra requests. Reproduce with HTTP1_FUZZ_SEED=<seed> (and
 * HTTP1_FUZZ_CASES=<n>); a failure prints the seed, the case and its bytes.
 */

const SEED = Number(process.env.HTTP1_FUZZ_SEED ?? 0x5eed_2024) >>> 0;
const CASES = Number(process.env.HTTP1_FUZZ_CASES ?? 2000);
/** Cases in flight at once: each one mostly waits for an idle socket. */
const CONCURRENCY = 40;
/** No bytes for this long after the last write: the server is done answering; half-close. */
const IDLE_MS = 100;
const MAX_HEADER_BYTES = 8192;
const MAX_BODY_BYTES = 65536;

// ---------------------------------------------------------------- PRNG and generator helpers

type Rng = () => number;

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, a: readonly T[]): T => a[int(r, a.length)]!;
const chance = (r: Rng, p: number): boolean => r() < p;

/** A request being built: head lines (without CRLF) and the raw bytes after the head. */
interface Draft {
  prefix: string;
  requestLine: string;
  fields: string[];
  body: string;
  /** Declared framing, for mutations that need it. */
  framing: 'none' | 'length' | 'chunked';
  payload: string;
}

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: evil\r\n\r\n';

function payload(r: Rng): string {
  switch (int(r, 6)) {
    case 0:
      return '';
    case 1:
      return SMUGGLED;
    case 2: {
      let s = '';
      const n = int(r, 40);
      for (let i = 0; i < n; i++) s += String.fromCharCode(int(r, 256));
      return s;
    }
    case 3:
      return `{"model":"m","messages":[{"role":"user","content":"${'x'.repeat(int(r, 30))}"}]}`;
    case 4:
      return `0\r\n\r\n${SMUGGLED}`;
    default:
      return 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + int(r, 26));
  }
}

function hex(r: Rng, n: number): string {
  const h = n.toString(16);
  return chance(r, 0.3) ? h.toUpperCase() : h;
}

const CHUNK_EXT = ['', '', '', ';a=b', ';x', '; q="v;w"', ';ext=1;y'];

/** A chunked body for `data`, occasionally with a framing fault aimed at the size line or CRLFs. */
function chunked(r: Rng, data: string, faulty: boolean): string {
  const sizes: number[] = [];
  let left = data.length;
  while (left > 0) {
    const n = Math.min(left, 1 + int(r, 20));
    sizes.push(n);
    left -= n;
  }
  const fault = faulty ? int(r, 14) : -1;
  const faultAt = int(r, sizes.length + 1);
  let out = '';
  let at = 0;
  for (let i = 0; i <= sizes.length; i++) {
    const n = sizes[i] ?? 0;
    let size = hex(r, n);
    let eol = '\r\n';
    let after = '\r\n';
    let declared = n;
    if (i === faultAt) {
      switch (fault) {
        case 0: size = `000${size}`; break;
        case 1: size = `0x${size}`; break;
        case 2: size = `${size} `; break;
        case 3: size = `${size}\t`; break;
        case 4: size = ` ${size}`; break;
        case 5: size = `-${size}`; break;
        case 6: size = `+${size}`; break;
        case 7: size = pick(r, ['ffffffffffffffffff', '10000000000000000', '7fffffffffffffff', 'fffffffffffff']); break;
        case 8: eol = pick(r, ['\n', '\r', '\r\r\n', ';a\nb\r\n', ';a\rb\r\n']); break;
        case 9: after = pick(r, ['', '\n', '\r', 'XX', '\r\r\n']); break;
        case 10: declared = Math.max(0, n + pick(r, [-2, -1, 1, 2])); size = hex(r, declared); break;
        case 11: size = `${size};${'e'.repeat(1100)}`; break;
        case 12: if (n === 0) size = pick(r, ['00', '0 ', '0;', '']); break;
        case 13: size = `${size}\0`; break;
      }
    }
    if (n === 0) {
      out += `${size}${pick(r, CHUNK_EXT)}${eol}`;
      if (chance(r, 0.2)) out += pick(r, ['X-Trailer: 1\r\n', 'Content-Length: 3\r\n', 'a: b\r\n folded\r\n', 'noColon\r\n', 'X-T: 1\n']);
      out += fault === 9 && i === faultAt ? after : '\r\n';
      break;
    }
    out += `${size}${pick(r, CHUNK_EXT)}${eol}${data.slice(at, at + n)}${after}`;
    at += n;
  }
  return out;
}

const METHOD_POOL = ['GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'];
const RARE_METHODS = ['FOO', 'get', 'CONNECT', 'M-SEARCH', 'PROPFIND', 'QUERY', 'TRACE', 'PRI'];
const PATHS = ['/', '/v1/chat/completions', '/v1/models?limit=3', '/a%20b', '/x?y=1&z=%00', '/a/../b', '/?q=a;b,c', '/%E2%82%AC'];
const RARE_TARGETS = ['*', 'http://h/x', 'h:80', '/\x7f', '/\x80\xff', '/a b', '//x', '/#f'];
const EXTRA_FIELDS = [
  'User-Agent: fuzz',
  'Accept: */*',
  'Content-Type: application/json',
  'X-Request-Id: 42',
  'Authorization: Bearer abc',
  'Cookie: a=b; c=d',
  'X-Empty:',
  'X-Spaces:    padded   ',
  'X-Obs: caf\xe9',
  'Keep-Alive: timeout=5',
  'TE: trailers',
];

function genRequest(r: Rng): Draft {
  const method = chance(r, 0.06) ? pick(r, RARE_METHODS) : pick(r, METHOD_POOL);
  const target = chance(r, 0.04) ? pick(r, RARE_TARGETS) : `${pick(r, PATHS)}${chance(r, 0.2) ? `?n=${int(r, 1000)}` : ''}`;
  const version = chance(r, 0.15) ? 'HTTP/1.0' : 'HTTP/1.1';
  const fields: string[] = [];
  const hostRoll = r();
  if (hostRoll < 0.88) fields.push('Host: example.com');
  else if (hostRoll < 0.93) {
    // absent
  } else if (hostRoll < 0.97) fields.push('Host: example.com', 'Host: example.com');
  else fields.push('Host: a.example', 'Host: b.example');
  for (let i = int(r, 4); i > 0; i--) fields.push(pick(r, EXTRA_FIELDS));
  const conn = r();
  if (conn < 0.12) fields.push(pick(r, ['Connection: close', 'connection: Close', 'Connection: keep-alive, close']));
  else if (conn < 0.22) fields.push(pick(r, ['Connection: keep-alive', 'Connection: Keep-Alive', 'Connection: foo, keep-alive']));
  else if (conn < 0.24) fields.push('Connection: Upgrade', 'Upgrade: websocket');
  if (chance(r, 0.03)) fields.push(pick(r, ['Expect: 100-continue', 'Expect: 100-Continue', 'Expect: foo']));
  const data = payload(r);
  const roll = r();
  let framing: Draft['framing'] = 'none';
  let body = '';
  if (roll < 0.35) {
    if (chance(r, 0.2)) fields.push('Content-Length: 0');
  } else if (roll < 0.72) {
    framing = 'length';
    fields.push(`${pick(r, ['Content-Length', 'content-length', 'CONTENT-LENGTH'])}: ${data.length}`);
    body = data;
  } else {
    framing = 'chunked';
    fields.push(`${pick(r, ['Transfer-Encoding', 'transfer-encoding'])}: chunked`);
    body = chunked(r, data, chance(r, 0.3));
  }
  // Framing fields are not always last.
  if (fields.length > 1 && chance(r, 0.5)) {
    const i = int(r, fields.length);
    const last = fields.pop()!;
    fields.splice(i, 0, last);
  }
  return { prefix: '', requestLine: `${method} ${target} ${version}`, fields, body, framing, payload: data };
}

const TE_VARIANTS = [
  'chunked', 'Chunked', 'CHUNKED', ' chunked', 'chunked ', 'chunked, gzip', 'gzip, chunked', 'xchunked', 'chunkedx',
  'chunked\t', '\tchunked', 'identity', 'chunked, chunked', 'identity, chunked', '"chunked"', 'chunked;q=1', 'chunked,', ',chunked',
  'chunk', 'chunked\x0b', 'chunked\0',
];
const CL_VARIANTS = ['-1', '+5', '0x5', ' 5', '05', '5 ', '5\t', '1e1', '5.0', '', '5, 5', '5,5', '5,6', '99999999999999999999', '4294967301', '18446744073709551621', '\x005'];
const INTERESTING_BYTES = [' ', '\t', '\r', '\n', '\0', ':', ',', ';', 'a', '\x7f', '\x80', '\xff', '\x0b', '\x0c', '"'];

function clValue(d: Draft): number {
  return d.framing === 'length' ? d.payload.length : 0;
}

/** One mutation aimed at framing, applied to a draft's head (or its body's declared length). */
function mutate(r: Rng, d: Draft): void {
  const addField = (f: string): void => {
    d.fields.splice(int(r, d.fields.length + 1), 0, f);
  };
  const framingIndex = (): number => d.fields.findIndex((f) => /^(content-length|transfer-encoding)/i.test(f));
  switch (int(r, 20)) {
    case 0:
      addField(`Content-Length: ${clValue(d)}`);
      break;
    case 1:
      addField(`Content-Length: ${clValue(d) + 1 + int(r, 5)}`);
      break;
    case 2:
      if (d.framing === 'chunked') addField(`Content-Length: ${int(r, d.body.length + 3)}`);
      else {
        addField(`Transfer-Encoding: ${pick(r, TE_VARIANTS)}`);
        if (chance(r, 0.5)) d.body = chunked(r, d.payload, false);
      }
      break;
    case 3: {
      const te = pick(r, TE_VARIANTS);
      const i = d.fields.findIndex((f) => /^transfer-encoding/i.test(f));
      if (i >= 0) d.fields[i] = `Transfer-Encoding: ${te}`;
      else {
        d.fields = d.fields.filter((f) => !/^content-length/i.test(f));
        addField(`Transfer-Encoding: ${te}`);
        d.body = chunked(r, d.payload, false);
        d.framing = 'chunked';
      }
      break;
    }
    case 4:
      // Split codings over two fields, in either order.
      addField(chance(r, 0.5) ? 'Transfer-Encoding: gzip' : 'Transfer-Encoding: chunked');
      break;
    case 5: {
      const i = framingIndex();
      if (i >= 0) d.fields[i] = d.fields[i]!.replace(':', pick(r, [' :', '\t:', ' : ', ':\t', '::']));
      break;
    }
    case 6: {
      const i = int(r, d.fields.length + 1);
      d.fields.splice(i, 0, pick(r, [' folded', '\tfolded', ' chunked', ' 5']));
      break;
    }
    case 7:
      d.fields.push('Transfer-Encoding:', pick(r, [' chunked', '\tchunked']));
      break;
    case 8: {
      const i = d.fields.findIndex((f) => /^content-length/i.test(f));
      const v = pick(r, CL_VARIANTS);
      if (i >= 0) d.fields[i] = `Content-Length: ${v}`;
      else addField(`Content-Length: ${v}`);
      break;
    }
    case 9: {
      const i = framingIndex();
      if (i >= 0) d.fields[i] = d.fields[i]!.replace(/^[^:]+/, (n) => pick(r, [n.replace('-', '_'), `${n} `, `${n}\0`, `X-${n}`, n.replace('-', '')]));
      break;
    }
    case 10: {
      // Body shorter or longer than declared.
      const i = d.fields.findIndex((f) => /^content-length/i.test(f));
      if (i >= 0) d.fields[i] = `Content-Length: ${Math.max(0, clValue(d) + pick(r, [-3, -1, 1, 2, 7]))}`;
      else if (d.framing === 'chunked') d.body = chunked(r, d.payload, true);
      break;
    }
    case 11:
      d.prefix = pick(r, ['\r\n', '\r\n\r\n', '\n', ' ', '\0']);
      break;
    case 12:
      d.requestLine = d.requestLine.replace(/ HTTP\/1\.[01]$/, (v) => pick(r, [` ${v.slice(1)} `, `  ${v.slice(1)}`, `\t${v.slice(1)}`, ' http/1.1', ' HTTP/1.2', ' HTTP/2.0', ' HTTP/1.10', ' HTTP/01.1', '']));
      break;
    case 13:
      addField(`X-Big: ${'a'.repeat(MAX_HEADER_BYTES - 600 + int(r, 900))}`);
      break;
    case 14:
      addField(pick(r, ['Expect: 100-continue', 'Upgrade: h2c', 'Connection: close', 'Connection: upgrade', 'Host: other', 'Host:']));
      break;
    default:
      // Byte-level faults land in the serialized head (see serialize).
      d.prefix += '\u0100'; // marker: consumed by serialize
      break;
  }
}

/** Serializes a draft; a marker in prefix asks for 1-3 random byte edits in the head. */
function serialize(r: Rng, d: Draft): string {
  const edits = (d.prefix.match(/\u0100/g) ?? []).length;
  const prefix = d.prefix.replace(/\u0100/g, '');
  let head = `${d.requestLine}\r\n${d.fields.map((f) => `${f}\r\n`).join('')}\r\n`;
  for (let e = 0; e < edits; e++) {
    for (let k = 1 + int(r, 3); k > 0; k--) {
      const at = int(r, head.length - 2); // keep the final CRLF as the blank line's
      const b = pick(r, INTERESTING_BYTES);
      switch (int(r, 4)) {
        case 0: head = head.slice(0, at) + b + head.slice(at + 1); break;
        case 1: head = head.slice(0, at) + b + head.slice(at); break;
        case 2: head = head.slice(0, at) + head.slice(at + 1); break;
        default: {
          // Line endings: a CRLF becomes LF, CR, or gains a stray byte.
          const crlf = head.indexOf('\r\n', at);
          if (crlf >= 0) head = head.slice(0, crlf) + pick(r, ['\n', '\r', '\r\r\n', '\n\r\n', '\r\n\0']) + head.slice(crlf + 2);
        }
      }
    }
  }
  return prefix + head + d.body;
}

interface Case {
  readonly index: number;
  readonly bytes: Buffer;
  /** Offsets where the bytes are cut into separate writes. */
  readonly splits: number[];
}

function genCase(seed: number, index: number): Case {
  const r = mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const n = 1 + int(r, 3);
  let text = '';
  for (let i = 0; i < n; i++) {
    const d = genRequest(r);
    if (chance(r, 0.6)) for (let m = 1 + int(r, 2); m > 0; m--) mutate(r, d);
    text += serialize(r, d);
  }
  const bytes = Buffer.from(text, 'latin1');
  const splits: number[] = [];
  if (chance(r, 0.5)) {
    for (let k = 1 + int(r, 4); k > 0; k--) splits.push(1 + int(r, Math.max(1, bytes.length - 1)));
    splits.sort((a, b) => a - b);
  }
  return { index, bytes, splits: [...new Set(splits)] };
}

// ---------------------------------------------------------------- servers and raw client

interface Echo {
  readonly method: string;
  readonly url: string;
  /** base64 */
  readonly body: string;
  readonly headers: Record<string, string | undefined>;
}

function echoHeaders(h: IncomingHttpHeaders): Record<string, string | undefined> {
  const pickH = (n: string): string | undefined => {
    const v = h[n];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return { host: pickH('host'), 'content-length': pickH('content-length'), 'transfer-encoding': pickH('transfer-encoding'), upgrade: pickH('upgrade') };
}

/** The echo goes in a header too: a HEAD answer has no body to carry it. */
function echoResponse(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): { head: Record<string, string>; body: string } {
  const echo: Echo = { method, url, body: body.toString('base64'), headers: echoHeaders(headers) };
  const json = JSON.stringify(echo);
  return {
    head: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)), 'x-echo': Buffer.from(json).toString('base64') },
    body: json,
  };
}

function startNode(): Promise<Server> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 1500, headersTimeout: 1000, connectionsCheckingInterval: 100 }, (req, res) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size <= MAX_BODY_BYTES) parts.push(d);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-length': '0', connection: 'close' });
        res.end();
        return;
      }
      const out = echoResponse(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(parts));
      res.writeHead(200, out.head);
      res.end(out.body);
    });
  });
  server.keepAliveTimeout = 2000;
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server)));
}

function startOurs(): Promise<Http1Server> {
  const server = new Http1Server(
    { maxHeaderBytes: MAX_HEADER_BYTES, maxBodyBytes: MAX_BODY_BYTES, headersTimeoutMs: 1000, requestTimeoutMs: 1500, keepAliveTimeoutMs: 2000, connectionsCheckingIntervalMs: 100 },
    {
      request(req, res) {
        req.readBody((err, body) => {
          if (err === 'too_large') {
            res.writeHead(413, { 'content-length': '0', connection: 'close' });
            res.end();
            return;
          }
          if (err !== undefined || body === undefined) return; // aborted: the connection is gone
          const out = echoResponse(req.method, req.url, req.headers, body);
          res.writeHead(200, out.head);
          res.end(out.body);
        });
      },
      responseClosed() {},
    },
  );
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server)));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes the case's bytes (cut at its split points) and collects everything until the server is done. */
function exchange(port: number, c: Case): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const got: Buffer[] = [];
    let last = Date.now();
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(got));
    };
    socket.on('data', (d: Buffer) => {
      got.push(d);
      last = Date.now();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.once('connect', () => {
      void (async () => {
        let from = 0;
        for (const at of [...c.splits, c.bytes.length]) {
          if (closed) return;
          socket.write(c.bytes.subarray(from, at));
          from = at;
          if (at < c.bytes.length) await sleep(2);
        }
        last = Date.now();
        let ended = false;
        const poll = (): void => {
          if (closed) return;
          const idle = Date.now() - last;
          if (!ended && idle >= IDLE_MS) {
            // Half-close: both servers close once they see the end (neither allows half-open).
            ended = true;
            last = Date.now();
            socket.end();
          } else if (ended && idle >= 1000) return finish();
          timer = setTimeout(poll, 20);
        };
        poll();
      })();
    });
  });
}

// ---------------------------------------------------------------- response stream parsing

interface Answer {
  readonly status: number;
  readonly echo: Echo | undefined;
}

interface Answers {
  readonly answers: Answer[];
  /** Bytes at the end that are not a well-formed response (ours must never send any). */
  readonly garbage: string | undefined;
}

function parseAnswers(buf: Buffer): Answers {
  const answers: Answer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) return { answers, garbage: buf.toString('latin1', pos) };
    const [statusLine, ...lines] = buf.toString('latin1', pos, headEnd).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine!);
    if (!m) return { answers, garbage: buf.toString('latin1', pos) };
    const status = Number(m[1]);
    const fields: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      fields[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    pos = headEnd + 4;
    const echo = fields['x-echo'] === undefined ? undefined : (JSON.parse(Buffer.from(fields['x-echo'], 'base64').toString()) as Echo);
    if (status >= 100 && status < 200) continue;
    answers.push({ status, echo });
    if (echo?.method === 'HEAD') continue;
    if (fields['content-length'] !== undefined) pos += Number(fields['content-length']);
    else if (fields['transfer-encoding'] !== undefined) return { answers, garbage: 'chunked response (not expected from the echo handler)' };
    else pos = buf.length; // delimited by close (node's own 400/431 answers)
  }
  return { answers, garbage: pos > buf.length ? 'response body cut short' : undefined };
}

// ---------------------------------------------------------------- llhttp, driven directly

interface LlMessage {
  readonly method: string;
  readonly url: string;
  body: Buffer[];
  complete: boolean;
  readonly upgrade: boolean;
  readonly keepAlive: boolean;
}

interface LlParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | Error;
  close(): void;
  [k: number]: unknown;
}
interface HttpCommon {
  HTTPParser: { new (): LlParser; REQUEST: number; kOnMessageBegin: number; kOnHeaders: number; kOnHeadersComplete: number; kOnBody: number; kOnMessageComplete: number; kOnExecute: number; kOnTimeout: number; kLenientNone: number };
}
const common = createRequire(import.meta.url)('_http_common') as HttpCommon;

/** llhttp reports methods by its own enum index: learn the mapping by parsing one request per name. */
const LL_METHODS = new Map<number, string>();
for (const name of METHODS) {
  const P = common.HTTPParser;
  const parser = new P();
  parser.initialize(P.REQUEST, {}, MAX_HEADER_BYTES, P.kLenientNone);
  parser[P.kOnHeadersComplete] = (_maj: number, _min: number, _h: unknown, method: number) => {
    LL_METHODS.set(method, name);
    return 0;
  };
  parser[P.kOnMessageComplete] = () => undefined;
  parser.execute(Buffer.from(`${name} / HTTP/1.1\r\nHost: a\r\n\r\n`));
  parser.close();
}

/** The messages llhttp frames from `c`, fed in the same pieces, with node:http's settings (strict, 8 KiB heads). */
function llhttpFrames(c: Case): { messages: LlMessage[]; error: string | undefined } {
  const P = common.HTTPParser;
  const parser = new P();
  parser.initialize(P.REQUEST, {}, MAX_HEADER_BYTES, P.kLenientNone);
  const out: LlMessage[] = [];
  let url = '';
  let stop = false;
  parser[P.kOnMessageBegin] = () => undefined;
  parser[P.kOnTimeout] = () => undefined;
  parser[P.kOnExecute] = () => undefined;
  parser[P.kOnHeaders] = (_h: string[], u: string) => {
    url += u;
  };
  parser[P.kOnHeadersComplete] = (_maj: number, _min: number, _h: unknown, method: number, u: string | undefined, _s: unknown, _sm: unknown, upgrade: boolean, keepAlive: boolean) => {
    out.push({ method: LL_METHODS.get(method) ?? `#${method}`, url: u || url, body: [], complete: false, upgrade, keepAlive });
    url = '';
    return 0;
  };
  parser[P.kOnBody] = (b: Buffer, start?: number, len?: number) => {
    out[out.length - 1]!.body.push(Buffer.from(start === undefined ? b : b.subarray(start, start + len!)));
  };
  parser[P.kOnMessageComplete] = () => {
    const m = out[out.length - 1]!;
    m.complete = true;
    // node:http stops reading HTTP after an upgrade request or a close-delimited exchange.
    if (m.upgrade || !m.keepAlive) stop = true;
  };
  let from = 0;
  let error: string | undefined;
  for (const at of [...c.splits, c.bytes.length]) {
    if (stop) break;
    const piece = c.bytes.subarray(from, at);
    const ret = parser.execute(piece);
    if (ret instanceof Error) {
      const e = ret as Error & { code?: string; reason?: string; bytesParsed?: number };
      error = `${e.code ?? '?'} (${e.reason ?? e.message}) at byte ${from + (e.bytesParsed ?? 0)}`;
      break;
    }
    from = at;
    if (ret < piece.length) break;
  }
  parser.close();
  return { messages: out.filter((m) => m.complete), error };
}

// ---------------------------------------------------------------- the property

interface Verdict {
  /** A possible desync: ours accepted something node frames differently or not at all. */
  readonly failure: string | undefined;
  /** Ours accepted where node refused, for a reason that is node's and not a framing question. */
  readonly divergence: string | undefined;
  /** node:http answered fewer than llhttp frames (its 400-drops-pending quirk); checked against llhttp. */
  readonly quirk: boolean;
}

/**
 * llhttp refusals that are llhttp's own strictness, not a framing question: ours reads these
 * unambiguously (RFC 9112 allows the first four; trailer fields never frame anything; obs-text in
 * a target has no bearing on where the message ends).
 */
const LLHTTP_ONLY: readonly (readonly [reason: string, label: string, checkedByRepair: boolean])[] = [
  ['Invalid character in chunk extensions', 'chunk extension with BWS after ";", or an empty one ("5;")', true],
  ['Invalid character in Content-Length', 'Content-Length with trailing OWS (SP/HTAB)', true],
  ['Request has invalid `Transfer-Encoding`', 'Transfer-Encoding "chunked" with trailing OWS (SP/HTAB)', true],
  // Reason alone for these: a repair cannot be told apart from chunk data, and ours refuses each of
  // them in a head, so the reason can only come from a chunk size line, trailers or the target.
  ['Invalid character in chunk size', 'SP/HTAB after a chunk size (RFC 9112 has no BWS there)', false],
  ['Content-Length can\'t be present with Transfer-Encoding', 'Content-Length in chunked trailers (ignored by ours)', false],
  ['Invalid header token', 'malformed trailer line (trailers are read past, not validated)', false],
  ['Unexpected whitespace after header value', 'obs-fold in chunked trailers (trailers are read past)', false],
  ['Invalid char in url path', 'obs-text (0x80-0xff) in the request target', false],
  ['Invalid char in url query', 'obs-text (0x80-0xff) in the request target', false],
];

/** Rewrites the LLHTTP_ONLY constructs into forms llhttp accepts, leaving the framing as it was. */
function repair(text: string): string {
  return text
    .replace(/^((?:content-length|transfer-encoding):[^\r\n]*?)[ \t]+\r\n/gim, '$1\r\n')
    .replace(/; q="v;w"\r\n/g, ';q=v\r\n')
    .replace(/(\r\n[0-9a-fA-F]+);\r\n/g, '$1\r\n');
}

const sameEcho = (a: Echo, method: string, url: string, body: string): boolean => a.method === method && a.url === url && a.body === body;
const NODE_METHODS = new Set(METHODS);

function judge(c: Case, ours: Answers, node: Answers): Verdict {
  if (ours.garbage !== undefined) return { failure: `our response stream is malformed: ${JSON.stringify(ours.garbage.slice(0, 200))}`, divergence: undefined, quirk: false };
  const eOurs = ours.answers.filter((a) => a.status === 200).map((a) => a.echo!);
  const eNode = node.answers.filter((a) => a.status === 200 && a.echo).map((a) => a.echo!);
  let quirk = false;
  let llr: ReturnType<typeof llhttpFrames> | undefined;
  for (let i = 0; i < eOurs.length; i++) {
    const e = eOurs[i]!;
    const n = eNode[i];
    if (n) {
      if (!sameEcho(e, n.method, n.url, n.body)) return { failure: `request #${i + 1} framed differently: ours ${JSON.stringify(e)} node ${JSON.stringify(n)}`, divergence: undefined, quirk };
      continue;
    }
    llr ??= llhttpFrames(c);
    const ll = llr.messages;
    const m = ll[i];
    if (m && m.complete && sameEcho(e, m.method, m.url, Buffer.concat(m.body).toString('base64'))) {
      quirk = true;
      continue;
    }
    // Node's reasons to refuse that do not bear on framing: a method llhttp does not know, CONNECT
    // (a tunnel for node, a plain request for ours), whatever follows an Upgrade request, and the
    // llhttp refusals listed in LLHTTP_ONLY, on the very message ours accepted.
    if (!NODE_METHODS.has(e.method)) return { failure: undefined, divergence: 'a method llhttp does not know (any token is one for ours)', quirk };
    if (e.method === 'CONNECT') return { failure: undefined, divergence: 'CONNECT answered as a plain request', quirk };
    // node:http never answers an Upgrade request with a body, and reads nothing after an Upgrade
    // request as HTTP; ours never upgrades, so both stay plain HTTP for it (RFC 9110 §7.8).
    if (ll.length <= i && (e.headers.upgrade !== undefined || ll.some((p) => p.upgrade))) return { failure: undefined, divergence: 'Upgrade request, or a request after one', quirk };
    const llError = llr.error;
    const why = LLHTTP_ONLY.find(([reason]) => llError?.includes(`(${reason})`));
    if (why && ll.length === i) {
      // Not on llhttp's word alone: with the llhttp-only construct rewritten away, llhttp must frame
      // this very request as ours did (so a NBSP after a Content-Length is not a "trailing tab").
      if (!why[2]) return { failure: undefined, divergence: why[1], quirk };
      const again = llhttpFrames({ index: c.index, bytes: Buffer.from(repair(c.bytes.toString('latin1')), 'latin1'), splits: [] });
      const fixed = again.messages[i];
      if (fixed && sameEcho(e, fixed.method, fixed.url, Buffer.concat(fixed.body).toString('base64'))) return { failure: undefined, divergence: why[1], quirk };
      // The repaired bytes may still hold one of the reason-only constructs (trailers, say).
      const still = LLHTTP_ONLY.find(([reason, , repaired]) => !repaired && again.error?.includes(`(${reason})`));
      if (still && again.messages.length === i) return { failure: undefined, divergence: why[1], quirk };
    }
    return {
      failure: `request #${i + 1} accepted by ours but not by node: ours ${JSON.stringify(e)}; node:http ${JSON.stringify(node.answers.map((a) => a.status))}; llhttp ${JSON.stringify(m ? { ...m, body: Buffer.concat(m.body).toString('base64') } : null)}, ${ll.length} message(s), error ${llr.error ?? 'none'}`,
      divergence: undefined,
      quirk,
    };
  }
  return { failure: undefined, divergence: undefined, quirk };
}

async function runCase(ourPort: number, nodePort: number, c: Case): Promise<Verdict> {
  const [o, n] = await Promise.all([exchange(ourPort, c), exchange(nodePort, c)]);
  return judge(c, parseAnswers(o), parseAnswers(n));
}

function describeCase(c: Case): string {
  return `seed=${SEED} case=${c.index} splits=${JSON.stringify(c.splits)} bytes=${JSON.stringify(c.bytes.toString('latin1'))}`;
}

/**
 * Inputs that showed a disagreement, kept as fixed cases. All four come from head.ts trimming field
 * values with String.prototype.trim, which strips CR, LF, VT, FF and NBSP as well as SP and HTAB:
 * a control character at either end of a value then passes the BAD_VALUE check. node refuses each.
 */
const REGRESSIONS: { name: string; bytes: string }[] = [
  {
    // A bare-LF-tolerant parser ends the head at "\n\r\n" (GET, no body, then garbage); ours reads
    // on and takes Content-Length: 5, swallowing the next 5 bytes as a body. A classic desync.
    name: 'bare LF at the end of a field value is refused',
    bytes: 'GET / HTTP/1.1\r\nHost: a\r\nX: y\n\r\nContent-Length: 5\r\n\r\nhello',
  },
  { name: 'bare CR at the end of a field value is refused', bytes: 'POST / HTTP/1.1\r\nHost: a\r\nX: y\r\r\nContent-Length: 5\r\n\r\nhello' },
  { name: 'bare CR at the start of a field value is refused', bytes: 'POST / HTTP/1.1\r\nHost:\r a\r\nContent-Length: 5\r\n\r\nhello' },
  { name: 'Transfer-Encoding "chunked" + VT is not chunked', bytes: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\x0b\r\n\r\n5\r\nhello\r\n0\r\n\r\n' },
  { name: 'Content-Length "5" + NBSP is not a number', bytes: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\xa0\r\n\r\nhello' },
];

describe('HTTP/1.1 listener vs node:http (differential fuzz)', () => {
  let ours: Http1Server;
  let node: Server;
  let ourPort = 0;
  let nodePort = 0;

  beforeAll(async () => {
    [ours, node] = await Promise.all([startOurs(), startNode()]);
    ourPort = (ours.address() as AddressInfo).port;
    nodePort = (node.address() as AddressInfo).port;
  });

  afterAll(async () => {
    ours.closeAllConnections();
    node.closeAllConnections();
    await Promise.all([new Promise<void>((r) => ours.close(() => r())), new Promise<void>((r) => node.close(() => r()))]);
  });

  for (const reg of REGRESSIONS) {
    it(`regression: ${reg.name}`, async () => {
      const c: Case = { index: -1, bytes: Buffer.from(reg.bytes, 'latin1'), splits: [] };
      const v = await runCase(ourPort, nodePort, c);
      expect(v.failure, describeCase(c)).toBeUndefined();
    });
  }

  it(`frames every request it accepts as node does (seed ${SEED}, ${CASES} cases)`, async () => {
    process.stderr.write(`http1 differential fuzz: seed=${SEED} cases=${CASES}\n`);
    const failures: string[] = [];
    const divergences = new Map<string, { count: number; example: string }>();
    let quirks = 0;
    let accepted = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < CASES) {
        const c = genCase(SEED, next++);
        const v = await runCase(ourPort, nodePort, c);
        if (v.failure !== undefined) failures.push(`${v.failure}\n  ${describeCase(c)}`);
        if (v.divergence !== undefined) {
          const d = divergences.get(v.divergence) ?? { count: 0, example: describeCase(c).slice(0, 600) };
          d.count++;
          divergences.set(v.divergence, d);
        }
        if (v.quirk) quirks++;
        if (v.failure === undefined && v.divergence === undefined) accepted++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (const [why, d] of divergences) process.stderr.write(`  known divergence (ours accepts, node refuses): ${why} x${d.count}\n    e.g. ${d.example}\n`);
    process.stderr.write(`  ${accepted} cases agreed; ${quirks} needed llhttp as the reference (node:http dropped a pending answer)\n`);
    if (process.env.HTTP1_FUZZ_DUMP) writeFileSync(process.env.HTTP1_FUZZ_DUMP, failures.join('\n'));
    expect(failures.slice(0, 5).join('\n'), `${failures.length} of ${CASES} cases disagree`).toBe('');
  });

  it('still answers a plain request after the fuzzing', async () => {
    const c: Case = { index: -1, bytes: Buffer.from('POST /after HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok', 'latin1'), splits: [] };
    const got = parseAnswers(await exchange(ourPort, c));
    expect(got.garbage).toBeUndefined();
    expect(got.answers.map((a) => [a.status, a.echo?.url, a.echo?.body])).toEqual([[200, '/after', Buffer.from('ok').toString('base64')]]);
  });
});
