import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getJson, processesWith, waitFor } from './helpers.ts';

const SUPERVISOR = fileURLToPath(new URL('./fixtures/supervisor.ts', import.meta.url));

let dir: string;
let marker: string;
const supervisors: ChildProcess[] = [];

interface Ready {
  urls: string[];
  pids: number[];
}

/** Starts a supervisor process and resolves when it reports 2 ready replicas. */
function startSupervisor(mode: 'apply' | 'restore' | 'apply-v2'): Promise<{ proc: ChildProcess; ready: Ready }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SUPERVISOR, dir, mode], {
    env: { ...process.env, PLOYD_TEST_MARKER: marker, PLOYD_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  supervisors.push(proc);
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`supervisor not ready in 15 s; stderr: ${err}`)), 15_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        resolve({ proc, ready: JSON.parse(line.slice(6)) as Ready });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`supervisor exited with ${code}; stderr: ${err}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

async function serving(urls: string[]): Promise<number[]> {
  return Promise.all(urls.map(async (u) => (await getJson<{ pid: number }>(`${u}/whoami`)).pid));
}

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

describe('local runtime: supervisor killed with -9 and restarted', () => {
  it('adopts the replicas it left: exactly 2, the same processes, serving; SIGTERM then stops them', async () => {
    const a = await startSupervisor('apply');
    expect(processesWith(marker)).toHaveLength(2);
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    // The replicas outlive a SIGKILLed supervisor (nothing can run in it to stop them) …
    expect(processesWith(marker).sort()).toEqual([...a.ready.pids].sort());

    // … and a new supervisor, restoring from its state file, adopts them instead of doubling.
    const b = await startSupervisor('restore');
    expect(b.ready.pids.sort()).toEqual([...a.ready.pids].sort());
    expect(processesWith(marker).sort()).toEqual([...a.ready.pids].sort());
    expect((await serving(b.ready.urls)).sort()).toEqual([...a.ready.pids].sort());

    // Re-applying the same spec changes nothing.
    b.proc.kill('SIGKILL');
    await exited(b.proc);
    const c = await startSupervisor('apply');
    expect(processesWith(marker).sort()).toEqual([...a.ready.pids].sort());
    expect(c.ready.pids.sort()).toEqual([...a.ready.pids].sort());

    // Children die with the supervisor on SIGTERM.
    c.proc.kill('SIGTERM');
    await exited(c.proc);
    expect(processesWith(marker)).toEqual([]);
  });

  it('with the state file lost, finds its replicas in /proc and replaces them: never doubles', async () => {
    const a = await startSupervisor('apply');
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    unlinkSync(join(dir, 'state.json'));
    const b = await startSupervisor('apply');
    const now = processesWith(marker);
    expect(now).toHaveLength(2);
    expect(now.some((p) => a.ready.pids.includes(p))).toBe(false);
    expect((await serving(b.ready.urls)).sort()).toEqual([...now].sort());
  });

  it('a spec changed while the supervisor was down: the adopted replicas are replaced by a rolling update', async () => {
    const a = await startSupervisor('apply');
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    const b = await startSupervisor('apply-v2');
    // The old two may still be draining when the new two are ready; wait for them to go.
    await waitFor(() => processesWith(marker).length === 2, 5000, 'old replicas stopped');
    const now = processesWith(marker);
    expect(now.some((p) => a.ready.pids.includes(p))).toBe(false);
    expect((await serving(b.ready.urls)).sort()).toEqual([...now].sort());
  });
});
