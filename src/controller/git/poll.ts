/** Default poll interval of remote repositories, as Argo CD's (its default is 3 min; ours 60 s). */
export const DEFAULT_POLL_INTERVAL_MS = 60_000;
/** ±10 %: controllers started together (a restart of a fleet) drift apart instead of polling in step. */
export const POLL_JITTER = 0.1;

/**
 * The delay before the next poll: `intervalMs` ± `jitter`, uniformly. `random` is Math.random's
 * contract (a number in [0, 1)); injected so tests pin it.
 *
 * @example
 * jitteredDelay(60_000, () => 0.5); // 60 000
 * jitteredDelay(60_000, () => 0);   // 54 000
 */
export function jitteredDelay(intervalMs: number, random: () => number = Math.random, jitter = POLL_JITTER): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(intervalMs * (1 - jitter + 2 * jitter * r));
}

/** The timer functions a Poller uses; the real ones by default, a fake clock in tests. */
export interface PollTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: PollTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Polling alone must not keep a process alive.
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface PollerOptions {
  readonly intervalMs?: number;
  /** One poll; the next is scheduled only once it has settled, so polls never overlap. */
  readonly tick: () => Promise<void>;
  readonly random?: () => number;
  readonly timers?: PollTimers;
}

/**
 * Calls `tick` every interval ± jitter until stopped. A failed tick is the tick's business (it
 * reports its own errors); polling goes on.
 */
export class Poller {
  readonly #o: PollerOptions;
  readonly #timers: PollTimers;
  #handle: unknown;
  #running = false;

  constructor(options: PollerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? REAL_TIMERS;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#handle !== undefined) this.#timers.clear(this.#handle);
    this.#handle = undefined;
  }

  #schedule(): void {
    const delay = jitteredDelay(this.#o.intervalMs ?? DEFAULT_POLL_INTERVAL_MS, this.#o.random);
    this.#handle = this.#timers.set(() => {
      this.#handle = undefined;
      void this.#o
        .tick()
        .catch(() => undefined)
        .finally(() => {
          if (this.#running) this.#schedule();
        });
    }, delay);
  }
}
