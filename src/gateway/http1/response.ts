import { STATUS_CODES, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { BAD_VALUE_CHAR, TOKEN } from './syntax.ts';

/** What a response needs from its connection. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** Seconds announced in `Keep-Alive: timeout=N`. */
  readonly keepAliveSeconds: number;
  /** Whether the connection may stay open after this response (the client's wish, server not closing). */
  canKeepAlive(): boolean;
  /** The response ended (its bytes are handed to the socket); `keepAlive` as its head announced. */
  responseEnded(res: Http1Response, keepAlive: boolean): void;
}

/** Below this a head and its body (or a chunk and its framing) are copied into one buffer and written once. */
const COALESCE_BYTES = 16 * 1024;
const LAST_CHUNK = '0\r\n\r\n';

function isList(h: OutgoingHttpHeaders | readonly OutgoingHttpHeader[] | undefined): h is readonly OutgoingHttpHeader[] {
  return Array.isArray(h);
}

let dateSecond = 0;
let dateLine = '';
/** `date: ...\r\n`, formatted at most once a second (node caches it the same way). */
function dateHeader(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateLine = `date: ${new Date(now).toUTCString()}\r\n`;
  }
  return dateLine;
}

/**
 * The answer to one request, written straight to the socket: the head is held until the first body
 * bytes so that head and body leave in one write (one syscall for a buffered answer). Without a
 * Content-Length the body is sent chunked. The subset of node's ServerResponse the gateway uses.
 */
export class Http1Response {
  statusCode = 200;
  #owner: ResponseOwner;
  #head: string | undefined;
  #headersSent = false;
  #finished = false;
  #chunked = false;
  #keepAlive = false;
  readonly #noBody: boolean;
  readonly #http10: boolean;

  /** `isHead`: a HEAD request (no body is written); `http10`: an HTTP/1.0 client (no chunked framing). */
  constructor(owner: ResponseOwner, isHead: boolean, http10: boolean) {
    this.#owner = owner;
    this.#noBody = isHead;
    this.#http10 = http10;
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  /** The response can no longer be written: the socket is gone or shut (a refused or timed-out request). */
  get destroyed(): boolean {
    return !this.#owner.socket.writable;
  }

  /** end() was called: everything is handed to the socket. */
  get writableFinished(): boolean {
    return this.#finished;
  }

  /**
   * Sets the status and headers (an object, or a flat name/value list as undici and node's raw
   * headers use). Names and values are checked as node checks them: a value with CR or LF would
   * split the response. Framing headers are the response's own: a given Transfer-Encoding is
   * dropped, `connection: close` is honoured.
   */
  writeHead(status: number, headers?: OutgoingHttpHeaders | readonly OutgoingHttpHeader[]): this {
    if (this.#headersSent) throw new Error('headers already sent');
    this.statusCode = status;
    this.#building = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    this.#hasLength = false;
    this.#closeAsked = false;
    if (isList(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) this.#field(String(headers[i]), headers[i + 1]);
    } else if (headers) {
      for (const name of Object.keys(headers)) this.#field(name, headers[name]);
    }
    let head = this.#building;
    head += dateHeader();
    const bodyless = this.#noBody || status === 204 || status === 304 || status < 200;
    // HTTP/1.0 has no chunked framing: a body of unknown length ends when the connection closes.
    const untilClose = !this.#hasLength && !bodyless && this.#http10;
    this.#chunked = !this.#hasLength && !bodyless && !this.#http10;
    if (this.#chunked) head += 'transfer-encoding: chunked\r\n';
    this.#keepAlive = !this.#closeAsked && !untilClose && this.#owner.canKeepAlive();
    head += this.#keepAlive ? `connection: keep-alive\r\nkeep-alive: timeout=${this.#owner.keepAliveSeconds}\r\n\r\n` : 'connection: close\r\n\r\n';
    this.#head = head;
    this.#building = '';
    this.#headersSent = true;
    return this;
  }

  /** The head being built by writeHead, and what its fields said about framing. */
  #building = '';
  #hasLength = false;
  #closeAsked = false;

  #field(name: string, value: OutgoingHttpHeader | undefined): void {
    if (value === undefined) return;
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    // Only the three framing names matter here; the rest are written as given.
    const lower = name.length === 10 || name.length === 14 || name.length === 17 ? name.toLowerCase() : name;
    if (lower === 'connection') {
      if (String(value).toLowerCase().includes('close')) this.#closeAsked = true;
      return;
    }
    if (lower === 'transfer-encoding') return;
    if (lower === 'content-length') this.#hasLength = true;
    if (Array.isArray(value)) {
      for (const v of value as readonly string[]) this.#field(name, v);
      return;
    }
    const v = typeof value === 'string' ? value : String(value);
    if (BAD_VALUE_CHAR.test(v)) throw new TypeError(`invalid value for header ${name}`);
    this.#building += `${name}: ${v}\r\n`;
  }

  /** Writes body bytes; false when the socket's buffer is full (wait for 'drain'). */
  write(chunk: Buffer | string, cb?: () => void): boolean {
    // Not a throw: a late upstream event must not take the process down over a finished answer.
    if (this.#finished) return true;
    if (!this.#headersSent) this.writeHead(this.statusCode);
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // Nowhere to write: the connection's close already told the response's owner.
    if (this.destroyed) return true;
    if (this.#noBody || data.length === 0) return this.#flushHead(cb);
    return this.#send(this.#chunked ? [`${data.length.toString(16)}\r\n`, data, '\r\n'] : [data], cb);
  }

  /** Ends the response (with a last piece of body); the connection moves on to its next request. */
  end(chunk?: Buffer | string): void {
    if (this.#finished) return;
    if (!this.#headersSent) this.writeHead(this.statusCode);
    const data = chunk === undefined ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#finished = true;
    if (!this.destroyed) {
      if (this.#noBody) this.#flushHead(undefined);
      else if (this.#chunked) this.#send(data && data.length > 0 ? [`${data.length.toString(16)}\r\n`, data, `\r\n${LAST_CHUNK}`] : [LAST_CHUNK], undefined);
      else if (data && data.length > 0) this.#send([data], undefined);
      else this.#flushHead(undefined);
    }
    this.#owner.responseEnded(this, this.#keepAlive);
  }

  destroy(): void {
    this.#owner.socket.destroy();
  }

  once(event: 'drain', listener: () => void): this {
    this.#owner.socket.once(event, listener);
    return this;
  }

  #flushHead(cb: (() => void) | undefined): boolean {
    const head = this.#head;
    if (head === undefined) {
      if (cb) process.nextTick(cb);
      return true;
    }
    this.#head = undefined;
    return this.#owner.socket.write(head, 'latin1', cb);
  }

  /**
   * Writes the pending head (if any) and `parts` as one buffer when small (one syscall, no corking),
   * else corked into one writev.
   */
  #send(parts: readonly (string | Buffer)[], cb: (() => void) | undefined): boolean {
    const socket = this.#owner.socket;
    const head = this.#head;
    this.#head = undefined;
    let size = head === undefined ? 0 : head.length;
    for (const p of parts) size += p.length; // strings here are latin1 framing: one byte per char
    if (size <= COALESCE_BYTES) {
      const out = Buffer.allocUnsafe(size);
      let at = head === undefined ? 0 : out.write(head, 0, 'latin1');
      for (const p of parts) at += typeof p === 'string' ? out.write(p, at, 'latin1') : p.copy(out, at);
      return socket.write(out, cb);
    }
    socket.cork();
    if (head !== undefined) socket.write(head, 'latin1');
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const last = i === parts.length - 1;
      ok = typeof p === 'string' ? socket.write(p, 'latin1', last ? cb : undefined) : socket.write(p, last ? cb : undefined);
    }
    socket.uncork();
    return ok;
  }
}
