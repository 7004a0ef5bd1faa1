import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesWith, waitFor } from './helpers.ts';
import { exited, serving, startSupervisor, supervisors } from './supervisor-process.ts';

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

describe('local runtime: supervisor killed with -9 and restarted', { timeout: 120_000 }, () => {
  it('adopts the replicas it left: exactly 2, the same processes, serving; SIGTERM then stops them', async () => {
    const a = await start('apply');
    expect(processesWith(marker)).toHaveLength(2);
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    // The replicas outlive a SIGKILLed supervisor (nothing can run in it to stop them) …
    expect(processesWith(marker).sort()).toEqual([...a.ready.pids].sort());

    // … and a new supervisor, restoring from its state file, adopts them instead of doubling.
    const b = await start('restore');
    expect(b.ready.pids.sort()).toEqual([...a.ready.pids].sort());
    expect(processesWith(marker).sort()).toEqual([...a.ready.pids].sort());
    expect((await serving(b.ready.urls)).sort()).toEqual([...a.ready.pids].sort());

    // Re-applying the same spec changes nothing.
    b.proc.kill('SIGKILL');
    await exited(b.proc);
    const c = await start('apply');
    expect(processesWith(marker).sort()).toEqual([...a.ready.pids].sort());
    expect(c.ready.pids.sort()).toEqual([...a.ready.pids].sort());

    // Children die with the supervisor on SIGTERM.
    c.proc.kill('SIGTERM');
    await exited(c.proc);
    expect(processesWith(marker)).toEqual([]);
  });

  it('with the state file lost, finds its replicas in /proc and replaces them: never doubles', async () => {
    const a = await start('apply');
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    unlinkSync(join(dir, 'state.json'));
    const b = await start('apply');
    const now = processesWith(marker);
    expect(now).toHaveLength(2);
    expect(now.some((p) => a.ready.pids.includes(p))).toBe(false);
    expect((await serving(b.ready.urls)).sort()).toEqual([...now].sort());
  });
});
