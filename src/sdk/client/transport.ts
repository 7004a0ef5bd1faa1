import { Agent, fetch } from 'undici';
import { ERROR_CATALOGUE, PloydError, type ErrorCode } from '../../errors/index.ts';
import type { Via } from '../types.ts';

export type QueryValue = string | number | boolean | Date | readonly string[] | undefined;

export interface RequestOptions {
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Sent as `If-Match: "<n>"`. */
  readonly resourceVersion?: number | undefined;
  /** `cli` marks the request as coming from the ployd CLI in the audit log. */
  readonly via?: Via | undefined;
  /** Overrides the client's token for this request (verifyToken). */
  readonly token?: string;
}

export interface TransportOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  readonly server: string;
  readonly token?: string | undefined;
  /** Per-request timeout in milliseconds (default 30 000). */
  readonly timeoutMs?: number;
}

/** Keys whose ISO strings are Dates in the SDK's result types. */
const DATE_KEYS = new Set(['createdAt', 'updatedAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'startedAt', 'endedAt', 'at', 'observedAt']);
/** User data: copied as sent, never revived (a metric label may be called `at`). */
const OPAQUE_KEYS = new Set(['manifest', 'resource', 'labels', 'annotations', 'metadata', 'before', 'after', 'details', 'issues']);
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Turns the JSON of a response back into the SDK's types: RFC 3339 strings under date keys become Dates. */
export function reviveDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveDates);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (DATE_KEYS.has(k) && typeof v === 'string' && ISO_RE.test(v)) out[k] = new Date(v);
    else if (OPAQUE_KEYS.has(k)) out[k] = v;
    else out[k] = reviveDates(v);
  }
  return out;
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

/** An error response as a PloydError with the server's code; field issues stay in `details.issues`. */
export function errorFromResponse(status: number, body: unknown): PloydError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown; issues?: unknown } } | undefined)?.error;
  const code: ErrorCode = isErrorCode(e?.code) ? e.code : status === 401 ? 'E_UNAUTHENTICATED' : status === 403 ? 'E_FORBIDDEN' : 'E_INTERNAL';
  const message = typeof e?.message === 'string' ? e.message : `server answered HTTP ${status}`;
  const details = e?.details !== null && typeof e?.details === 'object' ? (e.details as Record<string, unknown>) : {};
  return new PloydError(code, message, { ...details, ...(Array.isArray(e?.issues) ? { issues: e.issues as unknown[] } : {}), status });
}

/** JSON over HTTP to the control plane: auth header, timeouts, error bodies back to PloydErrors. */
export class Transport {
  readonly server: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #agent = new Agent({ keepAliveTimeout: 10_000 });

  constructor(options: TransportOptions) {
    let url: URL;
    try {
      url = new URL(options.server);
    } catch {
      throw new PloydError('E_USAGE', `server must be a URL such as http://127.0.0.1:8080; got ${options.server}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PloydError('E_USAGE', `server must be an http(s) URL; got ${url.protocol}`);
    }
    this.server = url.toString().replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.server}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v as readonly string[]) url.searchParams.append(k, item);
      else url.searchParams.set(k, v instanceof Date ? v.toISOString() : String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token ?? this.#token;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.resourceVersion !== undefined) headers['if-match'] = `"${options.resourceVersion}"`;
    if (options.via === 'cli') headers['x-ployd-client'] = 'cli';
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, {
        method,
        headers,
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new PloydError('E_TIMEOUT', `${method} ${url.pathname}: no answer from ${this.server} within ${this.#timeoutMs} ms`);
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new PloydError('E_SERVER_UNREACHABLE', `cannot reach ${this.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, {
        server: this.server,
      });
    }
    const text = await res.text();
    let json: unknown;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        if (!res.ok) throw new PloydError(res.status >= 500 ? 'E_SERVER_UNREACHABLE' : 'E_INTERNAL', `server answered HTTP ${res.status} without a JSON body`, { status: res.status });
        throw new PloydError('E_INTERNAL', `${method} ${url.pathname}: response is not JSON`);
      }
    }
    if (!res.ok) throw errorFromResponse(res.status, json);
    return reviveDates(json) as T;
  }

  /** The raw text of a non-JSON endpoint (e.g. /metrics). */
  async text(path: string): Promise<string> {
    const headers: Record<string, string> = {};
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const res = await fetch(`${this.server}${path}`, { headers, dispatcher: this.#agent, signal: AbortSignal.timeout(this.#timeoutMs) }).catch((err: Error) => {
      throw new PloydError('E_SERVER_UNREACHABLE', `cannot reach ${this.server}: ${err.message}`, { server: this.server });
    });
    const text = await res.text();
    if (!res.ok) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      throw errorFromResponse(res.status, json);
    }
    return text;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
