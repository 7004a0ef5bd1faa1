import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getJson } from './helpers.ts';

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

