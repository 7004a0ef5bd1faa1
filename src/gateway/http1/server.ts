import { createServer, type AddressInfo, type ListenOptions, type Server, type Socket } from 'node:net';
import { Connection, type ConnectionHost } from './connection.ts';
import type { Http1Request } from './request.ts';
import type { Http1Response } from './response.ts';

export interface Http1Limits {
  /** Largest request head (request line and header fields), bytes: 431 beyond. */
  readonly maxHeaderBytes: number;
  /** Body bytes kept for the handler; past it the reader gets `too_large`. */
  readonly maxBodyBytes: number;
  /** Time a client has to send a request head (from its first byte, or from connecting): 408. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send a whole request: 408. */
  readonly requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** How often connections are checked against the three timeouts. */
  readonly connectionsCheckingIntervalMs: number;
}

export interface Http1Handlers {
  /** Called at the end of each request's head; the body is read with `req.readBody`. */
  request(req: Http1Request, res: Http1Response): void;
  /** Called once per response: it ended, or its connection closed first (a client that left). */
  responseClosed(res: Http1Response): void;
}

/**
 * The gateway's HTTP/1.1 server: node's `net` for sockets, PloyD's own request parsing and response
 * writing. Why not node:http: it costs ~20 µs of CPU per request in IncomingMessage/ServerResponse
 * streams, event emitters and header validation that a proxy with one JSON body per request does not
 * need, about a sixth of the gateway's whole per-request cost (docs/performance.md). The parsing is
 * strict (see head.ts) and the hostile-client limits are node's: head size and time, body time,
 * keep-alive idle time.
 */
export class Http1Server implements ConnectionHost {
  readonly #net: Server;
  readonly #limits: Http1Limits;
  readonly #handlers: Http1Handlers;
  readonly #connections = new Set<Connection>();
  #sweep: NodeJS.Timeout | undefined;
  #closing = false;
  readonly keepAliveSeconds: number;

  constructor(limits: Http1Limits, handlers: Http1Handlers) {
    this.#limits = limits;
    this.#handlers = handlers;
    this.keepAliveSeconds = Math.floor(limits.keepAliveTimeoutMs / 1000);
    this.#net = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  get maxHeaderBytes(): number {
    return this.#limits.maxHeaderBytes;
  }

  get maxBodyBytes(): number {
    return this.#limits.maxBodyBytes;
  }

  get closing(): boolean {
    return this.#closing;
  }

  dispatch(req: Http1Request, res: Http1Response): void {
    this.#handlers.request(req, res);
  }

  responseClosed(res: Http1Response): void {
    this.#handlers.responseClosed(res);
  }

  forget(conn: Connection): void {
    this.#connections.delete(conn);
  }

  listen(options: ListenOptions, onListening: () => void): void {
    this.#closing = false;
    this.#net.listen(options, onListening);
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, connectionsCheckingIntervalMs } = this.#limits;
    this.#sweep ??= setInterval(() => {
      const now = Date.now();
      for (const c of this.#connections) c.expired(now, headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs);
    }, connectionsCheckingIntervalMs).unref();
  }

  address(): AddressInfo | string | null {
    return this.#net.address();
  }

  once(event: 'error', listener: (err: Error) => void): this {
    this.#net.once(event, listener);
    return this;
  }

  off(event: 'error', listener: (err: Error) => void): this {
    this.#net.off(event, listener);
    return this;
  }

  /**
   * Stops accepting; idle connections close now, busy ones after their response (which then says
   * `connection: close`). `done` runs when the last connection is gone.
   */
  close(done?: (err?: Error) => void): void {
    this.#closing = true;
    this.#net.close((err) => {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
      done?.(err);
    });
    this.closeIdleConnections();
  }

  closeIdleConnections(): void {
    for (const c of [...this.#connections]) c.closeIfIdle();
  }

  /** Cuts every connection, streams included (the end of a graceful shutdown's grace period). */
  closeAllConnections(): void {
    for (const c of [...this.#connections]) c.socket.destroy();
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#connections.add(new Connection(socket, this, Date.now()));
  }
}
