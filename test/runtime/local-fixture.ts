// Test fixtures that register vitest hooks. Kept apart from helpers.ts, which child processes
// (fixtures/supervisor.ts) import outside vitest.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { GpuInventory, createLocalRuntime, type LocalRuntimeOptions, type Runtime } from '../../src/runtime/index.ts';
import { processesWith } from './helpers.ts';

/** Timings short enough for tests, long enough for a loaded 2-core machine. */
export const FAST_TIMINGS = {
  probePeriodMs: 200,
  startupProbeMs: 50,
  backoffInitialMs: 200,
  backoffMaxMs: 2000,
  terminationGraceMs: 500,
  drainTimeoutMs: 5000,
  noMetricsDrainMs: 100,
  autoscaleIntervalMs: 200,
};

export interface LocalRuntimeFixture {
  /** This test's state dir. */
  readonly dir: string;
  /** This test's process marker (in argv of every fake server it starts). */
  readonly marker: string;
  readonly start: (extra?: Partial<LocalRuntimeOptions>) => Promise<Runtime & { stateDir: string }>;
}

/**
 * Per test: a fresh state dir and marker; after it, the runtime is closed and no process carrying
 * the marker may be left (no orphans, whatever the test did).
 */
export function useLocalRuntime(): LocalRuntimeFixture {
  let rt: (Runtime & { stateDir: string }) | undefined;
  const fx = {
    dir: '',
    marker: '',
    start: async (extra: Partial<LocalRuntimeOptions> = {}) => {
      rt = await createLocalRuntime({ stateDir: fx.dir, gpus: new GpuInventory([]), handleSignals: false, timings: FAST_TIMINGS, ...extra });
      return rt;
    },
  };
  beforeEach(() => {
    fx.dir = mkdtempSync(join(tmpdir(), 'ployd-rt-'));
    fx.marker = `mk-${randomUUID()}`;
  });
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    expect(processesWith(fx.marker)).toEqual([]);
    rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}
