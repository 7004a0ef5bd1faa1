import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, runtimeConfigOf, type SimulatorRuntimeConfig } from './config.ts';
import { SimEngine, MAX_TOKENS_PER_TICK, type GenerationSink } from './engine.ts';
import { createSimulatorMetrics } from './metrics.ts';
import { createRng } from './prng.ts';

function setup(overrides: Partial<SimulatorRuntimeConfig> = {}) {
  const config = { ...runtimeConfigOf({ ...DEFAULT_SETTINGS, model: 'm' }), ...overrides };
  const ref: { engine?: SimEngine } = {};
  const metrics = createSimulatorMetrics('m', { running: () => ref.engine?.runningCount ?? 0, waiting: () => ref.engine?.waitingLength ?? 0, kvCacheUsage: () => 0 });
  const engine = new SimEngine(() => config, metrics, createRng(1), 100);
  ref.engine = engine;
  const events: string[] = [];
  const sink = (name: string, writes: number[] = []): GenerationSink => ({
    tokens: (from, to) => {
      writes.push(to - from);
      return true;
    },
    finish: () => events.push(`finish ${name}`),
    disconnect: () => events.push(`disconnect ${name}`),
  });
  return { engine, events, sink, config };
}

const spec = (outputTokens: number, extra: object = {}) => ({ promptTokens: 10, outputTokens, finishReason: 'stop' as const, stream: true, ...extra });

describe('SimEngine', () => {
  it('runs max-num-seqs, queues up to the limit, refuses beyond, and finishes queued work FIFO', async () => {
    const { engine, events, sink } = setup({ maxNumSeqs: 2, maxWaitingQueueLength: 2 });
    const handles = ['a', 'b', 'c', 'd'].map((n) => engine.submit(spec(5), sink(n)));
    expect(handles.every((h) => h !== undefined)).toBe(true);
    expect(engine.runningCount).toBe(2);
    expect(engine.waitingLength).toBe(2);
    expect(engine.kvCacheUsage()).toBeCloseTo(20 / 200);
    expect(engine.submit(spec(5), sink('e'))).toBeUndefined();
    await engine.whenIdle();
    expect(events).toEqual(['finish a', 'finish b', 'finish c', 'finish d']);
    expect(engine.runningCount).toBe(0);
  });

  it('cancelling a waiting request frees its queue place; cancelling a running one starts the next', async () => {
    const { engine, events, sink } = setup({ maxNumSeqs: 1, maxWaitingQueueLength: 5, interTokenLatency: 1 });
    const a = engine.submit(spec(1000), sink('a'));
    const b = engine.submit(spec(3), sink('b'));
    engine.submit(spec(3), sink('c'));
    expect(engine.waitingLength).toBe(2);
    b?.cancel();
    expect(engine.waitingLength).toBe(1);
    a?.cancel();
    expect(engine.runningCount).toBe(1);
    expect(engine.waitingLength).toBe(0);
    await engine.whenIdle();
    expect(events).toEqual(['finish c']);
  });

  it('batches at most MAX_TOKENS_PER_TICK tokens per stream per tick when tokens are all due', async () => {
    const { engine, sink } = setup();
    const writes: number[] = [];
    engine.submit(spec(100), sink('a', writes));
    await engine.whenIdle();
    expect(writes.reduce((x, y) => x + y, 0)).toBe(100);
    expect(Math.max(...writes)).toBe(MAX_TOKENS_PER_TICK);
  });

  it('pauses a backed-up stream until resumed', async () => {
    const { engine, events } = setup();
    let delivered = 0;
    const handle = engine.submit(spec(40), {
      tokens: (from, to) => {
        delivered = to;
        return from !== 0; // first write "fills the socket"
      },
      finish: () => events.push('finish'),
      disconnect: () => events.push('disconnect'),
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(delivered).toBe(MAX_TOKENS_PER_TICK);
    expect(events).toEqual([]);
    handle?.resume();
    await engine.whenIdle();
    expect(delivered).toBe(40);
    expect(events).toEqual(['finish']);
  });

  it('a disconnect failure cuts after the set number of tokens', async () => {
    const { engine, events, sink } = setup();
    const writes: number[] = [];
    engine.submit(spec(10, { disconnectAfter: 5 }), sink('a', writes));
    await engine.whenIdle();
    expect(writes.reduce((x, y) => x + y, 0)).toBe(5);
    expect(events).toEqual(['disconnect a']);
  });

  it('a transport that throws drops only its own sequence', async () => {
    const { engine, events, sink } = setup({ maxNumSeqs: 2 });
    engine.submit(spec(40), {
      tokens: () => {
        throw new Error('socket gone');
      },
      finish: () => events.push('finish bad'),
      disconnect: () => events.push('disconnect bad'),
    });
    engine.submit(spec(40), sink('good'));
    engine.submit(spec(5), sink('queued'));
    await engine.whenIdle();
    // The queued request took the dropped one's slot and, being shorter, finished first.
    expect(events).toEqual(['finish queued', 'finish good']);
  });
});
