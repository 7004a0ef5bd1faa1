import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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

describe('local runtime: supervisor killed with -9, restarted with a changed spec', { timeout: 120_000 }, () => {
  it('a spec changed while the supervisor was down: the adopted replicas are replaced by a rolling update', async () => {
    const a = await start('apply');
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    const b = await start('apply-v2');
    // The old two may still be draining when the new two are ready; wait for them to go.
    await waitFor(() => processesWith(marker).length === 2, 5000, 'old replicas stopped');
    const now = processesWith(marker);
    expect(now.some((p) => a.ready.pids.includes(p))).toBe(false);
    expect((await serving(b.ready.urls)).sort()).toEqual([...now].sort());
  });
});
