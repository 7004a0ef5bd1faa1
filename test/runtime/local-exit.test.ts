import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesWith, waitFor } from './helpers.ts';
import { exited, useSupervisors } from './supervisor-process.ts';

const fx = useSupervisors('ployd-adopt-');
const start = fx.start;

describe('local runtime: children die with the supervisor', { timeout: 120_000 }, () => {
  it('a supervisor that exits without close() takes its replicas with it (exit handler)', async () => {
    const a = await start('apply', { PLOYD_TEST_EXIT_AFTER_READY: '1' });
    await exited(a.proc);
    expect(a.proc.exitCode).toBe(0);
    await waitFor(() => processesWith(fx.marker).length === 0, 2000, 'replicas gone');
  });

  it('SIGINT stops the replicas gracefully, then the supervisor exits', async () => {
    const a = await start('apply');
    a.proc.kill('SIGINT');
    await exited(a.proc);
    expect(a.proc.signalCode).toBe('SIGINT');
    expect(processesWith(fx.marker)).toEqual([]);
  });

  it('an application that ends with `await close()` exits once the replicas are down, leaving no lock and no replica records', async () => {
    const a = await start('apply', { PLOYD_TEST_CLOSE_AFTER_READY: '1' });
    await exited(a.proc);
    expect(a.proc.exitCode).toBe(0);
    expect(processesWith(fx.marker)).toEqual([]);
    expect(existsSync(join(fx.dir, 'supervisor.lock'))).toBe(false);
    const state = JSON.parse(readFileSync(join(fx.dir, 'state.json'), 'utf8')) as { deployments: unknown[]; replicas: unknown[] };
    expect(state.replicas).toEqual([]);
    expect(state.deployments).toHaveLength(1);
  });
});
