import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect } from 'vitest';
import { getJson, processesWith, waitFor } from './helpers.ts';

const SUPERVISOR = fileURLToPath(new URL('./fixtures/supervisor.ts', import.meta.url));

export const supervisors: ChildProcess[] = [];

export interface Ready {
  urls: string[];
  pids: number[];
}

/** Starts a supervisor process and resolves when it reports 2 ready replicas. */
export function startSupervisor(dir: string, marker: string, mode: 'apply' | 'restore' | 'apply-v2', extraEnv: Record<string, string> = {}): Promise<{ proc: ChildProcess; ready: Ready }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SUPERVISOR, dir, mode], {
    env: { ...process.env, PLOYD_TEST_MARKER: marker, PLOYD_LOG_LEVEL: 'silent', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  supervisors.push(proc);
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`supervisor not ready in 45 s; stderr: ${err}`)), 15_000);
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

export function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

export async function serving(urls: string[]): Promise<number[]> {
  return Promise.all(urls.map(async (u) => (await getJson<{ pid: number }>(`${u}/whoami`)).pid));
}


export interface SupervisorFixture {
  readonly dir: string;
  readonly marker: string;
  readonly start: (mode: 'apply' | 'restore' | 'apply-v2', env?: Record<string, string>) => Promise<{ proc: ChildProcess; ready: Ready }>;
}

/**
 * Per test: a fresh state dir and marker for supervisors run as child processes. Afterwards every
 * supervisor still running gets SIGTERM (which stops its replicas); any process left carrying the
 * marker is an orphan: killed, and the test fails.
 */
export function useSupervisors(prefix: string): SupervisorFixture {
  const fx = {
    dir: '',
    marker: '',
    start: (mode: 'apply' | 'restore' | 'apply-v2', env: Record<string, string> = {}) => startSupervisor(fx.dir, fx.marker, mode, env),
  };
  beforeEach(() => {
    fx.dir = mkdtempSync(join(tmpdir(), prefix));
    fx.marker = `mk-${randomUUID()}`;
  });
  afterEach(async () => {
    for (const p of supervisors.splice(0)) {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGTERM');
        await exited(p);
      }
    }
    await waitFor(() => processesWith(fx.marker).length === 0, 5000, 'no orphans').catch(() => undefined);
    const left = processesWith(fx.marker);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    rmSync(fx.dir, { recursive: true, force: true });
    expect(left).toEqual([]);
  });
  return fx;
}
