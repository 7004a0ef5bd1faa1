/**
 * The character sets of HTTP/1.1 syntax (RFC 9110 §5.6), shared by the request parser, the chunked
 * decoder and the response writer, as regular expressions and as tables over char codes 0–255
 * (heads are latin1-decoded) for the per-field loop.
 */

/** A token: method and field names, chunk extension names. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Any character a field value may not hold: controls (NUL, CR, LF...) and DEL; tab and obs-text are allowed. */
export const BAD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

export const IS_TOKEN = new Uint8Array(256);
export const IS_VALUE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  IS_TOKEN[c] = TOKEN.test(ch) ? 1 : 0;
  IS_VALUE[c] = BAD_VALUE_CHAR.test(ch) ? 0 : 1;
}

/** Optional whitespace (RFC 9110 §5.6.3) is space and tab only. */
export function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `name: value` with a token name and a value free of control characters (no obs-fold). */
export function isFieldLine(line: string): boolean {
  let i = 0;
  while (i < line.length && IS_TOKEN[line.charCodeAt(i)] === 1) i++;
  if (i === 0 || line.charCodeAt(i) !== 0x3a) return false;
  for (let k = i + 1; k < line.length; k++) if (IS_VALUE[line.charCodeAt(k)] !== 1) return false;
  return true;
}
