/** Circuit-breaker states; the numbers are what the `breaker_state` gauge exports. */
export const BreakerState = { closed: 0, open: 1, halfOpen: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export interface BreakerConfig {
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
  readonly halfOpenRequests: number;
}

/**
 * A per-backend circuit breaker: closed until `failureThreshold` consecutive failures, then open
 * for `recoveryTimeoutMs`, then half-open admitting `halfOpenRequests` probes at a time; that many
 * successes close it, any failure re-opens it. Pure state machine: time is passed in.
 */
export class CircuitBreaker {
  state: BreakerState = BreakerState.closed;
  #failures = 0;
  #openedAt = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  /** Called with the new state on every transition (metrics, logs). */
  onChange: ((state: BreakerState) => void) | undefined;

  /** Whether a request may go to this backend now; in half-open this takes a probe slot. */
  tryAcquire(config: BreakerConfig, now: number): boolean {
    if (this.state === BreakerState.closed) return true;
    if (this.state === BreakerState.open) {
      if (now - this.#openedAt < config.recoveryTimeoutMs) return false;
      this.#transition(BreakerState.halfOpen);
      this.#probesInFlight = 0;
      this.#probeSuccesses = 0;
    }
    if (this.#probesInFlight >= config.halfOpenRequests) return false;
    this.#probesInFlight++;
    return true;
  }

  /** Whether the backend would admit a request, without taking a probe slot. */
  available(config: BreakerConfig, now: number): boolean {
    if (this.state === BreakerState.closed) return true;
    if (this.state === BreakerState.open) return now - this.#openedAt >= config.recoveryTimeoutMs;
    return this.#probesInFlight < config.halfOpenRequests;
  }

  onSuccess(config: BreakerConfig): void {
    if (this.state === BreakerState.halfOpen) {
      this.#probesInFlight = Math.max(0, this.#probesInFlight - 1);
      if (++this.#probeSuccesses >= config.halfOpenRequests) {
        this.#failures = 0;
        this.#transition(BreakerState.closed);
      }
      return;
    }
    this.#failures = 0;
  }

  onFailure(config: BreakerConfig, now: number): void {
    if (this.state === BreakerState.halfOpen) {
      this.#probesInFlight = Math.max(0, this.#probesInFlight - 1);
      this.#open(now);
      return;
    }
    if (this.state === BreakerState.closed && ++this.#failures >= config.failureThreshold) this.#open(now);
  }

  /** A request that took a slot ended without a verdict on the backend (client went away, 4xx). */
  onNeutral(): void {
    if (this.state === BreakerState.halfOpen) this.#probesInFlight = Math.max(0, this.#probesInFlight - 1);
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#failures = 0;
    this.#transition(BreakerState.open);
  }

  #transition(state: BreakerState): void {
    if (this.state === state) return;
    this.state = state;
    this.onChange?.(state);
  }
}
