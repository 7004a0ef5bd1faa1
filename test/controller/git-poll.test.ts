import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_INTERVAL_MS, jitteredDelay, Poller, type PollTimers } from '../../src/controller/index.ts';

/** A fake clock: timers are recorded, and fired by the test. */
function fakeTimers(): PollTimers & { pending: { id: number; fn: () => void; ms: number }[]; fire(): void } {
  let next = 0;
  const pending: { id: number; fn: () => void; ms: number }[] = [];
  return {
    pending,
    set: (fn, ms) => {
      pending.push({ id: ++next, fn, ms });
      return next;
    },
    clear: (h) => {
      const i = pending.findIndex((t) => t.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const t = pending.shift();
      if (!t) throw new Error('no timer pending');
      t.fn();
    },
  };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('poll interval with jitter', () => {
  it('is the interval ±10 %, uniformly over random()', () => {
    expect(DEFAULT_POLL_INTERVAL_MS).toBe(60_000);
    expect(jitteredDelay(60_000, () => 0)).toBe(54_000);
    expect(jitteredDelay(60_000, () => 0.25)).toBe(57_000);
    expect(jitteredDelay(60_000, () => 0.5)).toBe(60_000);
    expect(jitteredDelay(60_000, () => 0.75)).toBe(63_000);
    expect(jitteredDelay(60_000, () => 0.999_999)).toBe(66_000);
    // A misbehaving random source cannot push the delay outside the band.
    expect(jitteredDelay(60_000, () => 7)).toBe(66_000);
    expect(jitteredDelay(60_000, () => -1)).toBe(54_000);
    expect(jitteredDelay(10_000, () => 0, 0.5)).toBe(5_000);
  });

  it('with the real Math.random, stays in the band and spreads across it', () => {
    const delays = Array.from({ length: 2000 }, () => jitteredDelay(60_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(54_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(66_000);
    // 2000 uniform draws: both outer fifths of the band are hit (a constant delay would fail).
    expect(delays.some((d) => d < 56_400)).toBe(true);
    expect(delays.some((d) => d > 63_600)).toBe(true);
  });
});

describe('Poller', () => {
  it('waits a jittered interval (default 60 s), polls, and schedules the next only after the poll settled', async () => {
    const timers = fakeTimers();
    const randoms = [0, 1 - 1e-9, 0.5];
    let ticks = 0;
    let finish: (() => void) | undefined;
    const poller = new Poller({
      tick: () => {
        ticks++;
        return new Promise<void>((r) => (finish = r));
      },
      random: () => randoms.shift() ?? 0.5,
      timers,
    });
    poller.start();
    poller.start(); // idempotent
    expect(timers.pending.map((t) => t.ms)).toEqual([54_000]);
    timers.fire();
    expect(ticks).toBe(1);
    await settle();
    // The poll is still running: no second timer, so polls never overlap.
    expect(timers.pending).toEqual([]);
    finish?.();
    await settle();
    expect(timers.pending.map((t) => t.ms)).toEqual([66_000]);
    timers.fire();
    finish?.();
    await settle();
    expect(timers.pending.map((t) => t.ms)).toEqual([60_000]);
    poller.stop();
    expect(timers.pending).toEqual([]);
    expect(ticks).toBe(2);
  });

  it('keeps polling after a failed poll; stop() during a poll schedules nothing more', async () => {
    const timers = fakeTimers();
    let ticks = 0;
    let fail = true;
    let finish: (() => void) | undefined;
    const poller = new Poller({
      intervalMs: 1000,
      tick: () => {
        ticks++;
        return fail ? Promise.reject(new Error('git fetch failed')) : new Promise<void>((r) => (finish = r));
      },
      random: () => 0.5,
      timers,
    });
    poller.start();
    timers.fire();
    await settle();
    expect(ticks).toBe(1);
    expect(timers.pending.map((t) => t.ms)).toEqual([1000]);
    fail = false;
    timers.fire();
    poller.stop();
    finish?.();
    await settle();
    expect(ticks).toBe(2);
    expect(timers.pending).toEqual([]);
  });
});
