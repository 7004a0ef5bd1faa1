import { describe, expect, it } from 'vitest';
import { isRefusal, parseHead, type HeadRefusal, type RequestHead } from './head.ts';

const ok = (text: string): RequestHead => {
  const h = parseHead(text);
  if (isRefusal(h)) throw new Error(`refused: ${h.status} ${h.message}`);
  return h;
};
const refused = (text: string): HeadRefusal => {
  const h = parseHead(text);
  if (!isRefusal(h)) throw new Error('accepted');
  return h;
};

describe('parseHead', () => {
  it('reads the request line and lower-cases field names', () => {
    const h = ok('POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 12\r\nX-Request-Id:  abc \t');
    expect(h).toMatchObject({ method: 'POST', url: '/v1/chat/completions?x=1', minor: 1, contentLength: 12, chunked: false, keepAlive: true, expectContinue: false });
    expect(h.headers).toEqual({ host: 'gw', 'content-type': 'application/json', 'content-length': '12', 'x-request-id': 'abc' });
  });

  it('joins repeated fields, keeps the first of fields where a list makes no sense, and lists set-cookie', () => {
    const h = ok('GET / HTTP/1.1\r\nHost: gw\r\nAccept: a\r\naccept: b\r\nAuthorization: Bearer one\r\nAuthorization: Bearer two\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2');
    expect(h.headers.accept).toBe('a, b');
    expect(h.headers.authorization).toBe('Bearer one');
    expect(h.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('never sets __proto__ on the headers object', () => {
    const h = ok('GET / HTTP/1.1\r\nHost: gw\r\n__proto__: x');
    expect(Object.getPrototypeOf(h.headers)).toBe(Object.prototype);
    expect(Object.keys(h.headers)).toEqual(['host']);
  });

  it('keep-alive: 1.1 unless close, 1.0 only with keep-alive', () => {
    expect(ok('GET / HTTP/1.1\r\nHost: gw\r\nConnection: Close').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.1\r\nHost: gw\r\nConnection: upgrade, close').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.0').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.0\r\nConnection: Keep-Alive').keepAlive).toBe(true);
  });

  it('an upgrade request (ignored) does not keep the connection: what follows could be a tunnel', () => {
    expect(ok('GET / HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.1\r\nHost: gw\r\nUpgrade: h2c').keepAlive).toBe(true); // not asked for in Connection
  });

  it('chunked framing and Expect: 100-continue', () => {
    expect(ok('POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: Chunked\r\nExpect: 100-Continue')).toMatchObject({ chunked: true, contentLength: undefined, expectContinue: true });
  });

  it.each([
    ['no target', 'GET HTTP/1.1\r\nHost: gw', 400],
    ['absolute-form target', 'GET http://x/ HTTP/1.1\r\nHost: gw', 400],
    ['space in the target', 'GET /a b HTTP/1.1\r\nHost: gw', 400],
    ['bad method', 'G(T / HTTP/1.1\r\nHost: gw', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: gw', 505],
    ['garbage version', 'GET / HTTX/1.1\r\nHost: gw', 400],
    ['no Host on 1.1', 'GET / HTTP/1.1\r\nAccept: x', 400],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', 400],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A : b', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: b\r\n c', 400],
    ['no colon', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A', 400],
    ['NUL in a value', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: b\0c', 400],
    ['bare LF in a value', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: b\nX-B: c', 400],
    ['bare CR in a value', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: b\rc', 400],
    ['Content-Length twice (even equal)', 'POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nContent-Length: 5', 400],
    ['Content-Length list', 'POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5, 5', 400],
    ['Content-Length with a sign', 'POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: +5', 400],
    ['Content-Length too large to be exact', 'POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 99999999999999999', 400],
    ['Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nTransfer-Encoding: chunked', 400],
    ['chunked not last', 'POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked, gzip', 400],
    ['identity', 'POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: identity', 400],
    ['gzip before chunked', 'POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked', 501],
    ['Transfer-Encoding in 1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 400],
    ['an expectation other than 100-continue', 'POST / HTTP/1.1\r\nHost: gw\r\nExpect: 200-ok', 417],
    ['CONNECT', 'CONNECT /x HTTP/1.1\r\nHost: gw', 501],
    ['a non-ASCII byte in the target', 'GET /\x80 HTTP/1.1\r\nHost: gw', 400],
    // trim() would strip these and let them pass (found by the differential fuzz)
    ['a vertical tab ending a value', 'POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\x0b', 400],
    ['a form feed starting a value', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: \x0cb', 400],
    ['NBSP ending a Content-Length', 'POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\xa0', 400],
    ['a bare LF ending a value', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: b\n', 400],
    ['a bare CR ending a value', 'GET / HTTP/1.1\r\nHost: gw\r\nX-A: b\r', 400],
  ])('refuses %s', (_name, text, status) => {
    expect(refused(text).status).toBe(status);
  });
});
