import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, ChunkedError } from './chunked.ts';

/** Feeds `wire` in pieces of `step` bytes; returns the body and the bytes left after it. */
function decode(wire: string, step = wire.length): { body: string; rest: string } {
  const d = new ChunkedDecoder(1024);
  const bytes = Buffer.from(wire, 'latin1');
  let body = '';
  for (let at = 0; at < bytes.length; at += step) {
    const piece = bytes.subarray(at, at + step);
    const end = d.push(piece, 0, (s) => (body += s.toString('latin1')));
    if (end >= 0) return { body, rest: piece.subarray(end).toString('latin1') + bytes.subarray(at + step).toString('latin1') };
  }
  throw new Error(`incomplete: ${JSON.stringify(body)}`);
}

describe('ChunkedDecoder', () => {
  const wire = '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\nNEXT';

  it('decodes chunks, skips extensions and trailers, and stops at the end of the body', () => {
    expect(decode(wire)).toEqual({ body: 'hello, world', rest: 'NEXT' });
  });

  it('gives the same result fed a byte at a time', () => {
    for (const step of [1, 2, 3, 7]) expect(decode(wire, step)).toEqual({ body: 'hello, world', rest: 'NEXT' });
  });

  it('accepts upper-case hex and whitespace before an extension', () => {
    expect(decode('A \t;x\r\n0123456789\r\n0\r\n\r\n').body).toBe('0123456789');
  });

  it.each([
    ['a non-hex size', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['an empty size', '\r\nhello\r\n0\r\n\r\n'],
    ['a size with a sign', '+5\r\nhello\r\n0\r\n\r\n'],
    ['a huge size', '10000000000000000\r\n'],
    ['data not followed by CRLF', '5\r\nhelloXX0\r\n\r\n'],
    ['a size line ending in bare LF', '5\nhello\r\n0\r\n\r\n'],
    ['a bare CR in a size line', '5\r;x\r\nhello\r\n0\r\n\r\n'],
    ['a size line over 1 KiB', `5;${'x'.repeat(2000)}\r\n`],
    ['trailers over the limit', `0\r\n${'X-T: y\r\n'.repeat(200)}\r\n`],
    ['whitespace after a bare size', '5 \r\nhello\r\n0\r\n\r\n'],
    ['a control character in an extension', '5;a=\x01\r\nhello\r\n0\r\n\r\n'],
    ['a trailer without a colon', '0\r\nX-T\r\n\r\n'],
    ['an obs-folded trailer', '0\r\nX-T: a\r\n b\r\n\r\n'],
  ])('refuses %s', (_name, bad) => {
    expect(() => decode(bad)).toThrow(ChunkedError);
  });
});
