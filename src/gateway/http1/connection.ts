import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../errors/index.ts';
import { openAiErrorBody } from '../openai-error.ts';
import { ChunkedDecoder, ChunkedError } from './chunked.ts';
import { isRefusal, parseHead } from './head.ts';
import { Http1Request } from './request.ts';
import { Http1Response, type ResponseOwner } from './response.ts';

/** What a connection needs from its server: limits, the handler, and whether it is shutting down. */
export interface ConnectionHost {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly keepAliveSeconds: number;
  readonly closing: boolean;
  dispatch(req: Http1Request, res: Http1Response): void;
  /** Once per response: it ended, or its connection closed before it did. */
  responseClosed(res: Http1Response): void;
  forget(conn: Connection): void;
}

const enum Phase {
  /** Between requests on a kept-alive connection: nothing of the next request yet. */
  Idle,
  /** Reading a request head (a new connection starts here). */
  Head,
  /** Reading a request body. */
  Body,
  /** The request is read; its response is not finished. Pipelined bytes wait in the buffer. */
  Wait,
  /** After a `connection: close` answer: our side is shut, the client's bytes are read and dropped. */
  Closing,
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** Pipelined bytes held while a response is pending before the socket stops being read. */
const MAX_PIPELINED_BYTES = 64 * 1024;

const REFUSAL_CODE: Record<number, ErrorCode> = {
  400: 'E_BAD_REQUEST',
  408: 'E_REQUEST_TIMEOUT',
  417: 'E_HTTP_NOT_SUPPORTED',
  431: 'E_HEADERS_TOO_LARGE',
  501: 'E_HTTP_NOT_SUPPORTED',
  505: 'E_HTTP_NOT_SUPPORTED',
};

/**
 * One client connection: reads requests one at a time (a pipelined next request waits until the
 * current response ends, so responses go out in order), frames bodies by Content-Length or chunked
 * encoding, and hands each request to the host at the end of its head, as node does. Timeouts are
 * not timers per request: the server sweeps its connections (see `expired`).
 */
export class Connection implements ResponseOwner {
  readonly socket: Socket;
  readonly #host: ConnectionHost;
  readonly #remoteAddress: string;
  /** Handed to every request of the connection (Http1Request.connectionMemo). */
  readonly #memo: object = {};
  #phase = Phase.Head;
  /** When the current phase's clock started (Date.now()): head, request, idle or closing. */
  #since: number;
  #requestStart = 0;
  #buf: Buffer | undefined;
  /** Where the search for the end of the head resumes in #buf (bytes before it hold no CRLFCRLF). */
  #scanned = 0;
  #parsing = false;
  #paused = false;
  #req: Http1Request | undefined;
  #res: Http1Response | undefined;
  #resEnded = false;
  #bodyLeft = 0;
  #chunked: ChunkedDecoder | undefined;
  /** Whether the current request's client allows keep-alive (its version and Connection header). */
  #keepAlive = false;

  constructor(socket: Socket, host: ConnectionHost, now: number) {
    this.socket = socket;
    this.#host = host;
    this.#since = now;
    this.#remoteAddress = socket.remoteAddress ?? 'unknown';
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onClose());
    socket.on('error', () => undefined); // 'close' follows; the response's owner learns there
  }

  get keepAliveSeconds(): number {
    return this.#host.keepAliveSeconds;
  }

  canKeepAlive(): boolean {
    return this.#keepAlive && !this.#host.closing;
  }

  responseEnded(res: Http1Response, keepAlive: boolean): void {
    if (res !== this.#res || this.#resEnded) return;
    this.#resEnded = true;
    this.#host.responseClosed(res);
    if (!keepAlive) {
      this.#shut();
      return;
    }
    if (this.#phase === Phase.Wait) this.#nextRequest();
    // else the request's body is still arriving: it is read (and dropped) before the next request.
  }

  /**
   * Closes the connection if it sits between requests (server shutdown); true if it did. A
   * connection with a request in progress closes after its response (which says `connection: close`).
   */
  closeIfIdle(): boolean {
    if (this.#phase !== Phase.Idle && !(this.#phase === Phase.Head && !this.#buf)) return false;
    this.socket.destroy();
    return true;
  }

  /**
   * Called by the server's sweep: answers 408 and closes a connection whose head or body is late
   * (slowloris), closes one idle past the keep-alive timeout or lingering after a close.
   */
  expired(now: number, headersTimeoutMs: number, requestTimeoutMs: number, keepAliveMs: number): void {
    switch (this.#phase) {
      case Phase.Idle:
        if (now - this.#since > keepAliveMs) this.socket.destroy();
        break;
      case Phase.Head:
        if (now - this.#since > headersTimeoutMs) {
          if (this.#buf) this.#refuse(408, 'request headers not received in time');
          else this.socket.destroy();
        }
        break;
      case Phase.Body:
        if (now - this.#requestStart > requestTimeoutMs) {
          this.#req?.abort();
          if (this.#res && !this.#res.headersSent) this.#refuse(408, 'request body not received in time');
          else this.socket.destroy();
        }
        break;
      case Phase.Closing:
        if (now - this.#since > 2_000) this.socket.destroy();
        break;
      case Phase.Wait:
        break; // the response's own deadlines apply
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#phase === Phase.Closing) return;
    if (this.#phase === Phase.Idle) {
      this.#phase = Phase.Head;
      this.#since = Date.now();
    }
    this.#buf = this.#buf === undefined ? chunk : Buffer.concat([this.#buf, chunk]);
    this.#parse();
  }

  /** The client shut its side: a request still in progress is abandoned (node does the same). */
  #onEnd(): void {
    if (this.#res && !this.#resEnded) this.socket.destroy();
  }

  #onClose(): void {
    this.#host.forget(this);
    this.#req?.abort();
    const res = this.#res;
    if (res && !this.#resEnded) {
      this.#resEnded = true;
      this.#host.responseClosed(res);
    }
  }

  #parse(): void {
    if (this.#parsing) return; // re-entered from a response ended inside the handler
    this.#parsing = true;
    try {
      while (this.#buf !== undefined && this.#step());
    } finally {
      this.#parsing = false;
    }
  }

  /** One parsing step over #buf; false when it needs more bytes or must wait. */
  #step(): boolean {
    switch (this.#phase) {
      case Phase.Head:
        return this.#readHead();
      case Phase.Body:
        return this.#readBody();
      case Phase.Wait:
        if (!this.#paused && this.#buf!.length > MAX_PIPELINED_BYTES) {
          this.#paused = true;
          this.socket.pause();
        }
        return false;
      default:
        this.#buf = undefined;
        return false;
    }
  }

  #readHead(): boolean {
    let buf = this.#buf!;
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    let skip = 0;
    while (skip + 1 < buf.length && buf[skip] === 0x0d && buf[skip + 1] === 0x0a) skip += 2;
    if (skip > 0) {
      buf = buf.subarray(skip);
      this.#buf = buf.length > 0 ? buf : undefined;
      this.#scanned = 0;
      if (!this.#buf) return false;
    }
    const end = buf.indexOf(CRLFCRLF, Math.max(0, this.#scanned - 3));
    const max = this.#host.maxHeaderBytes;
    if (end < 0 || end > max) {
      if (buf.length > max) this.#refuse(431, `request headers exceed ${max} bytes`);
      else this.#scanned = buf.length;
      return false;
    }
    const head = parseHead(buf.toString('latin1', 0, end));
    const rest = end + 4;
    this.#buf = rest < buf.length ? buf.subarray(rest) : undefined;
    this.#scanned = 0;
    if (isRefusal(head)) {
      this.#refuse(head.status, head.message);
      return false;
    }
    this.#keepAlive = head.keepAlive;
    this.#requestStart = this.#since;
    const req = new Http1Request(head, this.#remoteAddress, this.#memo, this.#host.maxBodyBytes);
    const res = new Http1Response(this, head.method === 'HEAD', head.minor === 0);
    this.#req = req;
    this.#res = res;
    this.#resEnded = false;
    if (head.chunked) {
      this.#chunked = new ChunkedDecoder(this.#host.maxHeaderBytes);
      this.#phase = Phase.Body;
    } else if (head.contentLength !== undefined && head.contentLength > 0) {
      this.#chunked = undefined;
      this.#bodyLeft = head.contentLength;
      this.#phase = Phase.Body;
    } else {
      req.complete();
      this.#phase = Phase.Wait;
    }
    if (head.expectContinue && this.#phase === Phase.Body) this.socket.write(CONTINUE, 'latin1');
    this.#host.dispatch(req, res);
    // The handler may have ended the response already (and moved the phase on).
    return true;
  }

  #readBody(): boolean {
    const buf = this.#buf!;
    const req = this.#req!;
    let used: number;
    if (this.#chunked) {
      try {
        used = this.#chunked.push(buf, 0, (slice) => req.append(slice));
      } catch (err) {
        if (!(err instanceof ChunkedError)) throw err;
        req.abort();
        this.#refuse(400, err.message);
        return false;
      }
      // A body over the limit gets its 413 (and the connection shut) from inside append.
      if (this.#phase !== Phase.Body) return false;
      if (used < 0) {
        this.#buf = undefined;
        return false;
      }
    } else {
      used = Math.min(this.#bodyLeft, buf.length);
      req.append(used === buf.length ? buf : buf.subarray(0, used));
      if (this.#phase !== Phase.Body) return false;
      this.#bodyLeft -= used;
      if (this.#bodyLeft > 0) {
        this.#buf = undefined;
        return false;
      }
    }
    this.#buf = used < buf.length ? buf.subarray(used) : undefined;
    this.#phase = Phase.Wait;
    req.complete();
    // The body's reader may have ended the response synchronously: then move on now.
    if (this.#resEnded && this.#phase === Phase.Wait) this.#nextRequest();
    return true;
  }

  /** The response ended and the request is read: ready for the next request on this connection. */
  #nextRequest(): void {
    this.#req = undefined;
    this.#res = undefined;
    this.#phase = this.#buf ? Phase.Head : Phase.Idle;
    this.#since = Date.now();
    if (this.#paused) {
      this.#paused = false;
      this.socket.resume();
    }
    if (this.#buf) this.#parse();
  }

  /** Stops reading requests: our side is shut after what is written; the client's bytes are dropped. */
  #shut(): void {
    this.#phase = Phase.Closing;
    this.#since = Date.now();
    this.#buf = undefined;
    if (this.#paused) {
      this.#paused = false;
      this.socket.resume();
    }
    this.socket.end();
  }

  /** Answers a request the connection cannot read (malformed, too large, too slow) and closes. */
  #refuse(status: number, message: string): void {
    const res = this.#res;
    if (res && !this.#resEnded) {
      // A handler holds this request: its response is abandoned (the client gets the refusal).
      this.#resEnded = true;
      this.#host.responseClosed(res);
    }
    if (!this.socket.writable || (res?.headersSent ?? false)) {
      this.socket.destroy();
      return;
    }
    const body = openAiErrorBody(REFUSAL_CODE[status] ?? 'E_BAD_REQUEST', message);
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
    this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    this.#shut();
  }
}


