/** Listener and data-path limits; defaults are safe for the open internet. */
export interface GatewayLimits {
  /** Largest request body, bytes (default 4 MiB: long prompts, embedding batches). */
  readonly maxBodyBytes: number;
  /** Largest request head (request line and header fields), bytes: 431 beyond. */
  readonly maxHeaderBytes: number;
  /** Time a client has to send all request headers: the slowloris guard. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send the whole request. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** Largest upstream body buffered for a non-streaming answer. */
  readonly maxUpstreamBodyBytes: number;
  /** Requests in flight over all routes before the gateway sheds load with 503. */
  readonly maxInFlight: number;
  /** How often the listener checks its connections against the head, request and keep-alive timeouts. */
  readonly connectionsCheckingIntervalMs: number;
  /**
   * Connections the kernel queues for the listener before the gateway accepts them (listen(2)
   * backlog; Linux caps it at net.core.somaxconn). node's default, 511, is too short for a burst
   * of new streams: the kernel drops the SYNs beyond it and clients retry after 1 s, then 3 s.
   */
  readonly listenBacklog: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  maxUpstreamBodyBytes: 64 * 1024 * 1024,
  maxInFlight: 20_000,
  connectionsCheckingIntervalMs: 1_000,
  listenBacklog: 4096,
};

export interface GatewayOptionsBase {
  readonly limits?: Partial<GatewayLimits>;
  /** Fraction of successful requests written to the access log (errors are always logged). Default 1. */
  readonly accessLogSampleRate?: number;
  /** `max_tokens` assumed for the tokens-per-minute reservation when a request sends none. Default 256. */
  readonly defaultMaxTokens?: number;
  /** Seconds kept by the rolling windows behind MetricsProvider. Default 300. */
  readonly rollingWindowSeconds?: number;
  /** How often to scrape model-server metrics for least_busy routes. Default 1000 ms; 0 disables. */
  readonly scrapeIntervalMs?: number;
  /** API-key verification cache TTL. Default 5000 ms. */
  readonly apiKeyCacheTtlMs?: number;
}
