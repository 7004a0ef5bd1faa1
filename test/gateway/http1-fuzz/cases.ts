/**
 * Test inputs for the HTTP/1.1 differential fuzz: seeded, reproducible byte streams of 1–3
 * pipelined requests built from a grammar, then mutated where framing is decided (Content-Length,
 * Transfer-Encoding, line endings, control characters, chunk sizes, bodies shorter or longer than
 * declared), and cut at random points into separate writes.
 */

/** Largest request head, as the servers under test are configured (some inputs go just past it). */
export const MAX_HEADER_BYTES = 8192;

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

export interface Case {
  readonly index: number;
  readonly bytes: Buffer;
  /** Offsets where the bytes are cut into separate writes. */
  readonly splits: number[];
}

export function genCase(seed: number, index: number): Case {
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
