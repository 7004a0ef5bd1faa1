import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHead } from './head.ts';

/** How a body read ends: too_large (over the server's limit) or aborted (connection gone, bad framing). */
export type BodyCallback = (err: 'too_large' | 'aborted' | undefined, body?: Buffer) => void;

const enum BodyState {
  Reading,
  Complete,
  TooLarge,
  Aborted,
}

/**
 * A request as the handler sees it: its head at once, its body whole when it has arrived (the
 * gateway routes on the JSON body, so it never wants it piecemeal). Body bytes are slices of what
 * the socket read, copied only when a body spans several reads.
 */
export class Http1Request {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: '1.0' | '1.1';
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  /**
   * One object per connection, shared by its requests, for the handler's own state about the
   * connection (the gateway keeps the API key it last verified there; see auth/api-key.ts).
   */
  readonly connectionMemo: object;
  readonly #max: number;
  #state = BodyState.Reading;
  #parts: Buffer[] = [];
  #size = 0;
  #body: Buffer | undefined;
  #done: BodyCallback | undefined;

  constructor(head: RequestHead, remoteAddress: string, connectionMemo: object, maxBodyBytes: number) {
    this.method = head.method;
    this.url = head.url;
    this.httpVersion = head.minor === 1 ? '1.1' : '1.0';
    this.headers = head.headers;
    this.remoteAddress = remoteAddress;
    this.connectionMemo = connectionMemo;
    this.#max = maxBodyBytes;
  }

  /** Calls `done` once with the whole body (at once if it is already here). */
  readBody(done: BodyCallback): void {
    if (this.#state === BodyState.Reading) this.#done = done;
    else if (this.#state === BodyState.Complete) done(undefined, this.#body);
    else done(this.#state === BodyState.TooLarge ? 'too_large' : 'aborted');
  }

  /** Body bytes from the connection. Past the limit the body is dropped and its reader told. */
  append(slice: Buffer): void {
    if (this.#state !== BodyState.Reading) return;
    this.#size += slice.length;
    if (this.#size > this.#max) {
      this.#state = BodyState.TooLarge;
      this.#parts = [];
      this.#deliver('too_large');
      return;
    }
    this.#parts.push(slice);
  }

  /** The body is complete. */
  complete(): void {
    if (this.#state !== BodyState.Reading) return;
    this.#state = BodyState.Complete;
    const parts = this.#parts;
    this.#body = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#size);
    this.#parts = [];
    this.#deliver(undefined, this.#body);
  }

  /** The body will never complete (connection closed, bad framing, too slow). */
  abort(): void {
    if (this.#state !== BodyState.Reading) return;
    this.#state = BodyState.Aborted;
    this.#parts = [];
    this.#deliver('aborted');
  }

  #deliver(err: 'too_large' | 'aborted' | undefined, body?: Buffer): void {
    const done = this.#done;
    this.#done = undefined;
    done?.(err, body);
  }
}
