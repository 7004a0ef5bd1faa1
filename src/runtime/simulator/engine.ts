import { performance } from 'node:perf_hooks';
import type { SimulatorRuntimeConfig } from './config.ts';
import { sampleInterTokenLatency, sampleTimeToFirstToken } from './latency.ts';
import type { SimulatorMetrics } from './metrics.ts';
import type { Rng } from './prng.ts';

/** What one request will generate, decided before it runs. */
export interface GenerationSpec {
  readonly promptTokens: number;
  /** Number of output tokens. */
  readonly outputTokens: number;
  readonly finishReason: 'stop' | 'length';
  /** Streams get tokens in small batches per tick; non-streamed requests only hear the finish. */
  readonly stream: boolean;
  /** Injected failure: cut the connection after this many tokens instead of finishing. */
  readonly disconnectAfter?: number;
}

/** Where tokens go; the HTTP layer implements it. */
export interface GenerationSink {
  /** Tokens [from, to) are due. Returns false when the transport is backed up (then call resume()). */
  tokens(from: number, to: number): boolean;
  finish(): void;
  disconnect(): void;
}

export interface GenerationHandle {
  /** The client went away: free the slot or the queue place. */
  cancel(): void;
  /** The transport drained after tokens() returned false. */
  resume(): void;
}

/**
 * At most this many tokens per stream per tick. With zero inter-token latency every token is due at
 * once; batching a few per write keeps syscalls low, and the cap keeps one long stream from starving
 * the others (and /health, /metrics) of the event loop.
 */
export const MAX_TOKENS_PER_TICK = 16;

interface Generation {
  readonly spec: GenerationSpec;
  readonly sink: GenerationSink;
  readonly arrival: number;
  state: 'waiting' | 'running' | 'done';
  emitted: number;
  nextDue: number;
  paused: boolean;
  lastGap: number;
}

/**
 * The simulated model engine: max-num-seqs running sequences, a FIFO waiting queue, and ONE timer
 * driving every running sequence. Each tick emits the tokens that are due for all sequences and
 * re-arms the timer for the earliest next one — no per-token setTimeout, so thousands of tokens per
 * second cost a handful of timer wake-ups.
 */
export class SimEngine {
  private readonly running = new Set<Generation>();
  private readonly queue: Generation[] = [];
  private queueHead = 0;
  private waitingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private immediate: NodeJS.Immediate | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly config: () => SimulatorRuntimeConfig,
    private readonly metrics: SimulatorMetrics,
    private readonly rng: Rng,
    /** Context length times max-num-seqs sizes the simulated KV cache. */
    private readonly maxModelLen: number,
  ) {}

  get runningCount(): number {
    return this.running.size;
  }

  get waitingLength(): number {
    return this.waitingCount;
  }

  /** Tokens held by running sequences over the capacity of max-num-seqs full contexts. */
  kvCacheUsage(): number {
    let used = 0;
    for (const g of this.running) used += g.spec.promptTokens + g.emitted;
    const capacity = this.config().maxNumSeqs * this.maxModelLen;
    return Math.min(1, used / capacity);
  }

  /** Runs the request now, queues it, or returns undefined when the queue is full. */
  submit(spec: GenerationSpec, sink: GenerationSink): GenerationHandle | undefined {
    const cfg = this.config();
    const g: Generation = { spec, sink, arrival: performance.now(), state: 'waiting', emitted: 0, nextDue: 0, paused: false, lastGap: 0 };
    if (this.running.size < cfg.maxNumSeqs && this.waitingCount === 0) {
      this.start(g);
    } else if (this.waitingCount < cfg.maxWaitingQueueLength) {
      this.queue.push(g);
      this.waitingCount++;
    } else {
      return undefined;
    }
    return {
      cancel: () => this.cancel(g),
      resume: () => {
        if (g.paused && g.state === 'running') {
          g.paused = false;
          this.arm(g.nextDue);
        }
      },
    };
  }

  /** Moves waiting requests to running while there is room (also after max-num-seqs grows). */
  pump(): void {
    const max = this.config().maxNumSeqs;
    while (this.running.size < max && this.waitingCount > 0) {
      const g = this.queue[this.queueHead];
      this.queue[this.queueHead] = undefined as unknown as Generation;
      this.queueHead++;
      if (g === undefined || g.state !== 'waiting') continue;
      this.waitingCount--;
      this.start(g);
    }
    // Compact the array now and then so a long-lived queue does not grow without bound.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Resolves when nothing runs or waits (for graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.running.size === 0 && this.waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private start(g: Generation): void {
    g.state = 'running';
    this.running.add(g);
    const cfg = this.config();
    const now = performance.now();
    g.nextDue = now + sampleTimeToFirstToken(cfg, g.spec.promptTokens, this.running.size, this.rng);
    this.metrics.addPromptTokens(g.spec.promptTokens);
    this.arm(g.nextDue);
  }

  private cancel(g: Generation): void {
    if (g.state === 'waiting') {
      g.state = 'done';
      this.waitingCount--;
      this.checkIdle();
    } else if (g.state === 'running') {
      this.release(g);
    }
  }

  private release(g: Generation): void {
    g.state = 'done';
    this.running.delete(g);
    this.pump();
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.running.size === 0 && this.waitingCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Makes sure the one timer fires no later than `due`. */
  private arm(due: number): void {
    const now = performance.now();
    if (due <= now + 0.5) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.tick();
      });
      return;
    }
    if (this.timer !== undefined && this.timerDue <= due) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.tick();
    }, Math.max(1, Math.ceil(due - now)));
  }

  private tick(): void {
    const now = performance.now();
    const cfg = this.config();
    const finished: Generation[] = [];
    const broken: Generation[] = [];
    for (const g of this.running) {
      if (g.paused || g.nextDue > now + 0.5) continue;
      const { spec } = g;
      const cap = spec.stream ? MAX_TOKENS_PER_TICK : Infinity;
      const limit = spec.disconnectAfter ?? spec.outputTokens;
      const from = g.emitted;
      while (g.nextDue <= now + 0.5 && g.emitted - from < cap && g.emitted < limit) {
        if (g.emitted === 0) this.metrics.observeTimeToFirstToken((now - g.arrival) / 1000);
        else this.metrics.observeInterTokenLatency(g.lastGap / 1000);
        g.emitted++;
        g.lastGap = sampleInterTokenLatency(cfg, this.running.size, this.rng);
        g.nextDue += g.lastGap;
      }
      const n = g.emitted - from;
      if (n > 0) this.metrics.addGenerationTokens(n);
      try {
        if (n > 0 && spec.stream && !g.sink.tokens(from, g.emitted)) g.paused = true;
      } catch {
        // A transport that broke under us (socket gone): drop this sequence, keep the others going.
        broken.push(g);
        continue;
      }
      if (g.emitted >= limit) finished.push(g);
    }
    for (const g of broken) this.release(g);
    for (const g of finished) {
      const ok = g.spec.disconnectAfter === undefined;
      if (ok) {
        this.metrics.observeE2e((now - g.arrival) / 1000);
        this.metrics.success(g.spec.finishReason);
      }
      this.release(g);
      try {
        if (ok) g.sink.finish();
        else g.sink.disconnect();
      } catch {
        // The client is gone already; its slot is free, nothing else to do.
      }
    }
    let next = Infinity;
    for (const g of this.running) if (!g.paused && g.nextDue < next) next = g.nextDue;
    if (next !== Infinity) this.arm(next);
  }
}
