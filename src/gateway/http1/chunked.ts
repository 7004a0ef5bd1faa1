import { BAD_VALUE_CHAR, isFieldLine } from './syntax.ts';

/**
 * Decoder for `Transfer-Encoding: chunked` request bodies (RFC 9112 §7.1), fed as bytes arrive.
 * Pure: bytes in, body slices out. Strict like the head parser: a chunk size that is not hex, a
 * chunk not followed by CRLF, a bare CR or LF, or a size line or trailer section beyond its bound
 * throws ChunkedError (the connection answers 400 and closes).
 */
export class ChunkedError extends Error {}

const enum State {
  Size,
  Data,
  DataCr,
  DataLf,
  Trailer,
  Done,
}

const CR = 0x0d;
const LF = 0x0a;
/** A size line carries hex digits and optional extensions (ignored); 1 KiB is generous. */
const MAX_SIZE_LINE = 1024;
const HEX = /^[0-9a-fA-F]{1,13}$/;


export class ChunkedDecoder {
  #state = State.Size;
  #line = '';
  #remaining = 0;
  #trailerBytes = 0;
  readonly #maxTrailerBytes: number;

  constructor(maxTrailerBytes: number) {
    this.#maxTrailerBytes = maxTrailerBytes;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  /**
   * Consumes `buf` from `start`; body bytes go to `onData` as slices of `buf` (no copies). Returns
   * where the body ended in `buf` once the last chunk and trailers are read, or -1 if it needs more.
   */
  push(buf: Buffer, start: number, onData: (slice: Buffer) => void): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.#state) {
        case State.Size:
        case State.Trailer: {
          const lf = buf.indexOf(LF, i);
          const end = lf < 0 ? n : lf;
          this.#line += buf.toString('latin1', i, end);
          if (this.#state === State.Size ? this.#line.length > MAX_SIZE_LINE : (this.#trailerBytes += end - i) > this.#maxTrailerBytes) {
            throw new ChunkedError(this.#state === State.Size ? 'chunk size line too long' : 'chunked trailers too large');
          }
          if (lf < 0) return -1;
          i = lf + 1;
          const line = this.#line;
          this.#line = '';
          if (line.charCodeAt(line.length - 1) !== CR) throw new ChunkedError('chunked framing line must end in CRLF');
          const body = line.slice(0, -1);
          if (body.includes('\r')) throw new ChunkedError('bare CR in chunked framing');
          if (this.#state === State.Trailer) {
            if (body === '') {
              this.#state = State.Done;
              return i;
            }
            // Trailer fields are read past, not kept, but held to the rules of head fields.
            if (!isFieldLine(body)) throw new ChunkedError('malformed trailer field');
            continue;
          }
          const semi = body.indexOf(';');
          // Whitespace is allowed only before an extension (BWS, RFC 9112 §7.1.1), never after a bare size.
          const hex = semi < 0 ? body : body.slice(0, semi).replace(/[ \t]+$/, '');
          if (!HEX.test(hex)) throw new ChunkedError(`bad chunk size ${JSON.stringify(hex.slice(0, 32))}`);
          if (semi >= 0 && BAD_VALUE_CHAR.test(body.slice(semi))) throw new ChunkedError('control character in a chunk extension');
          const size = parseInt(hex, 16);
          if (size === 0) this.#state = State.Trailer;
          else {
            this.#remaining = size;
            this.#state = State.Data;
          }
          break;
        }
        case State.Data: {
          const take = Math.min(this.#remaining, n - i);
          onData(buf.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = State.DataCr;
          break;
        }
        case State.DataCr:
          if (buf[i++] !== CR) throw new ChunkedError('chunk data must be followed by CRLF');
          this.#state = State.DataLf;
          break;
        case State.DataLf:
          if (buf[i++] !== LF) throw new ChunkedError('chunk data must be followed by CRLF');
          this.#state = State.Size;
          break;
        case State.Done:
          return i;
      }
    }
    return this.#state === State.Done ? i : -1;
  }
}
