import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesWith, waitFor } from './helpers.ts';
import { exited, startSupervisor, supervisors } from './supervisor-process.ts';

let dir: string;
let marker: string;
const start = (mode: 'apply' | 'restore' | 'apply-v2', env: Record<string, string> = {}) => startSupervisor(dir, marker, mode, env);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-adopt-'));
  marker = `mk-${randomUUID()}`;
});

afterEach(async () => {
  for (const p of supervisors.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await exited(p);
    }
  }
  // A SIGTERMed supervisor stops its replicas; anything left is an orphan.
  await waitFor(() => processesWith(marker).length === 0, 5000, 'no orphans').catch(() => undefined);
  const left = processesWith(marker);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  expect(left).toEqual([]);
});

describe('local runtime: children die with the supervisor', { timeout: 120_000 }, () => {
  it('a supervisor that exits without close() takes its replicas with it (exit handler)', async () => {
    const a = await start('apply', { PLOYD_TEST_EXIT_AFTER_READY: '1' });
    await exited(a.proc);
    expect(a.proc.exitCode).toBe(0);
    await waitFor(() => processesWith(marker).length === 0, 2000, 'replicas gone');
  });

  it('SIGINT stops the replicas gracefully, then the supervisor exits', async () => {
    const a = await start('apply');
    a.proc.kill('SIGINT');
    await exited(a.proc);
    expect(a.proc.signalCode).toBe('SIGINT');
    expect(processesWith(marker)).toEqual([]);
  });

  it('an application that ends with `await close()` exits once the replicas are down, leaving no lock and no replica records', async () => {
    const a = await start('apply', { PLOYD_TEST_CLOSE_AFTER_READY: '1' });
    await exited(a.proc);
    expect(a.proc.exitCode).toBe(0);
    expect(processesWith(marker)).toEqual([]);
    expect(existsSync(join(dir, 'supervisor.lock'))).toBe(false);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { deployments: unknown[]; replicas: unknown[] };
    expect(state.replicas).toEqual([]);
    expect(state.deployments).toHaveLength(1);
  });
});
