import type { IncomingHttpHeaders } from 'node:http';
import { IS_TOKEN, IS_VALUE, isOws, TOKEN } from './syntax.ts';

/**
 * An HTTP/1.1 request head (request line and header fields), parsed strictly. Pure: text in, a head
 * or a refusal out. Strict means that anything two parsers could read two ways is refused, not
 * guessed at: that is what request smuggling lives on (RFC 9112 §6.3, §11.2). So: Content-Length
 * together with Transfer-Encoding, a repeated or non-decimal Content-Length, a transfer coding other
 * than `chunked`, whitespace between a field name and its colon, obs-fold continuation lines, and
 * control characters (NUL, bare CR or LF) anywhere are all answered 400 (or 501) and the connection
 * is closed.
 */
export interface RequestHead {
  readonly method: string;
  /** The request target, origin-form (`/v1/chat/completions?x=1`). */
  readonly url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Field names lower-cased; repeats joined with ", " (first one kept where a list makes no sense). */
  readonly headers: IncomingHttpHeaders;
  /** Declared body length; undefined with chunked framing or no body. */
  readonly contentLength: number | undefined;
  readonly chunked: boolean;
  /** Whether the client allows the connection to stay open after this exchange. */
  readonly keepAlive: boolean;
  readonly expectContinue: boolean;
}

/** Why a head is refused: the status to answer with (the connection is closed after it). */
export interface HeadRefusal {
  readonly refused: true;
  readonly status: 400 | 417 | 501 | 505;
  readonly message: string;
}

/** Origin-form targets: visible ASCII only (RFC 3986; llhttp refuses other bytes too). */
const TARGET = /^\/[\x21-\x7e]*$/;
/**
 * Optional whitespace (RFC 9110 §5.6.3) is space and tab only: String.prototype.trim would also eat
 * CR, LF, VT, FF and NBSP, and let a control character at a value's end past the value check.
 */
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

function trimOws(s: string): string {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return isOws(first) || isOws(last) ? s.replace(OWS_EDGES, '') : s;
}

const DECIMAL = /^\d{1,15}$/;

/**
 * Fields where a repeat makes no sense: node keeps the first (authorization, content-type...).
 * Host and Content-Length are not here: a repeat of either is refused outright.
 */
const FIRST_WINS = new Set([
  'authorization',
  'proxy-authorization',
  'content-type',
  'user-agent',
  'referer',
  'from',
  'if-modified-since',
  'if-unmodified-since',
  'max-forwards',
  'age',
  'etag',
  'expires',
  'last-modified',
  'location',
  'retry-after',
  'server',
]);

function refuse(status: HeadRefusal['status'], message: string): HeadRefusal {
  return { refused: true, status, message };
}

/** Whether a comma-separated header value lists `token` (case-insensitive). */
function listsToken(value: string, token: string): boolean {
  const v = value.toLowerCase();
  if (v === token) return true;
  for (const part of v.split(',')) if (trimOws(part) === token) return true;
  return false;
}

/**
 * Parses a request head: `text` is everything before the blank line that ends it (latin1-decoded,
 * without the final CRLF CRLF). Lines must end in CRLF.
 */
export function parseHead(text: string): RequestHead | HeadRefusal {
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || sp2 > lineEnd) return refuse(400, 'malformed request line');
  const method = text.slice(0, sp1);
  const url = text.slice(sp1 + 1, sp2);
  const version = text.slice(sp2 + 1, lineEnd);
  if (!TOKEN.test(method)) return refuse(400, 'malformed request method');
  // The gateway never tunnels; node would hand the socket over, here it stays HTTP: refuse it.
  if (method === 'CONNECT') return refuse(501, 'CONNECT is not supported');
  if (!TARGET.test(url)) return refuse(400, 'request target must be a path (origin-form)');
  let minor: 0 | 1;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) return refuse(505, `${version} is not supported`);
  else return refuse(400, 'malformed HTTP version');

  const headers: IncomingHttpHeaders = {};
  let contentLength: number | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let expect: string | undefined;
  let hosts = 0;
  let pos = lineEnd + 2;
  while (pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const lineStart = pos;
    pos = end + 2;
    // One pass over the line with character tables, no regular expressions or intermediate
    // slices: this runs for every header of every request.
    const first = text.charCodeAt(lineStart);
    if (first === 0x20 || first === 0x09) return refuse(400, 'obsolete line folding is not accepted');
    let i = lineStart;
    while (i < end && IS_TOKEN[text.charCodeAt(i)] === 1) i++;
    if (i === lineStart || i === end || text.charCodeAt(i) !== 0x3a) {
      const colon = text.indexOf(':', lineStart);
      return refuse(400, colon < 0 || colon >= end ? 'malformed header line' : `malformed header name ${JSON.stringify(text.slice(lineStart, Math.min(colon, lineStart + 64)))}`);
    }
    const rawName = text.slice(lineStart, i);
    // Optional whitespace around the value is SP and HTAB only (see OWS_EDGES).
    let vs = i + 1;
    let ve = end;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    for (let k = vs; k < ve; k++) {
      if (IS_VALUE[text.charCodeAt(k)] !== 1) return refuse(400, `header ${rawName} holds a control character`);
    }
    const value = text.slice(vs, ve);
    const name = rawName.toLowerCase();
    switch (name) {
      case 'content-length':
        if (contentLength !== undefined) return refuse(400, 'repeated Content-Length');
        if (!DECIMAL.test(value)) return refuse(400, 'Content-Length must be a decimal number');
        contentLength = Number(value);
        break;
      case 'transfer-encoding':
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        break;
      case 'host':
        if (++hosts > 1) return refuse(400, 'repeated Host');
        break;
      case 'connection':
        connection = connection === undefined ? value : `${connection}, ${value}`;
        break;
      case 'expect':
        expect = value;
        break;
      case '__proto__':
        continue; // never a property of a plain object
    }
    const prev = headers[name];
    if (name === 'set-cookie') {
      if (prev === undefined) headers[name] = [value];
      else (prev as string[]).push(value);
    } else if (prev === undefined) headers[name] = value;
    else if (!FIRST_WINS.has(name)) headers[name] = `${prev as string}, ${value}`;
  }

  let chunked = false;
  if (transferEncoding !== undefined) {
    // A 1.0 message with Transfer-Encoding has a faulty framing (RFC 9112 §6.1); both framings at once
    // is the classic smuggling vector; any coding but a lone `chunked` we cannot decode.
    if (minor === 0) return refuse(400, 'Transfer-Encoding is not allowed in HTTP/1.0');
    if (contentLength !== undefined) return refuse(400, 'Content-Length and Transfer-Encoding together');
    const codings = transferEncoding.toLowerCase().split(',');
    // Without chunked last the body's end cannot be known: 400 and close (RFC 9112 §6.3). Codings
    // before it (gzip, chunked) would be ours to undo, and the gateway does not: 501.
    if (trimOws(codings[codings.length - 1]!) !== 'chunked') return refuse(400, `Transfer-Encoding ${JSON.stringify(transferEncoding)} does not end in chunked`);
    if (codings.length > 1) return refuse(501, `Transfer-Encoding ${JSON.stringify(transferEncoding)} is not supported (only chunked)`);
    chunked = true;
  }
  if (minor === 1 && hosts === 0) return refuse(400, 'HTTP/1.1 requires a Host header');
  let expectContinue = false;
  if (expect !== undefined && minor === 1) {
    if (expect.toLowerCase() !== '100-continue') return refuse(417, `Expect ${JSON.stringify(expect)} is not supported`);
    expectContinue = true;
  }
  // An upgrade the gateway ignores (RFC 9110 §7.8: curl asks for h2c, say) still ends the connection
  // after its answer: a front proxy that took the upgrade would pass what follows as a tunnel, and
  // none of it may be read here as a next request.
  const upgrade = headers.upgrade !== undefined && connection !== undefined && listsToken(connection, 'upgrade');
  const keepAlive = upgrade ? false : connection === undefined ? minor === 1 : minor === 1 ? !listsToken(connection, 'close') : listsToken(connection, 'keep-alive');
  return { method, url, minor, headers, contentLength, chunked, keepAlive, expectContinue };
}

export function isRefusal(h: RequestHead | HeadRefusal): h is HeadRefusal {
  return (h as HeadRefusal).refused === true;
}
