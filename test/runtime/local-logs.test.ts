import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { GpuInventory, createLocalRuntime, followLogs, findReplicaLogs, logPath, rotateIfNeeded, tailLines } from '../../src/runtime/index.ts';
import { fakeDeployment, processesWith, waitFor } from './helpers.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-logs-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function writeLog(ns: string, name: string, replica: number, lines: string[]): string {
  const p = logPath(dir, ns, name, replica);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, lines.map((l) => `${l}\n`).join(''));
  return p;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('replica log files', () => {
  it('rotates by size keeping N old files, and the writer keeps appending to the emptied file', () => {
    const p = writeLog('ns', 'm', 0, ['x'.repeat(2000)]);
    for (let i = 0; i < 3; i++) {
      appendFileSync(p, `${'y'.repeat(1500)}\n`);
      expect(rotateIfNeeded(p, 1024, 2)).toBe(true);
    }
    expect(readFileSync(p, 'utf8')).toBe('');
    expect(existsSync(`${p}.1`) && existsSync(`${p}.2`)).toBe(true);
    expect(existsSync(`${p}.3`)).toBe(false);
    expect(rotateIfNeeded(p, 1024, 2)).toBe(false);
  });

  it('tails the last lines, dropping a partial first line', () => {
    const p = writeLog('ns', 'm', 0, ['one', 'two', 'three']);
    expect(tailLines(p, 2)).toEqual(['two', 'three']);
    expect(tailLines(p, 10, 9)).toEqual(['three']);
  });

  it('follows appends and restarts after a copy-truncate rotation', async () => {
    const p = writeLog('ns', 'm', 0, ['old']);
    const files = findReplicaLogs(dir, 'm');
    const stop = new AbortController();
    let got = '';
    const done = followLogs(files, (_f, chunk) => (got += chunk), stop.signal, 20);
    appendFileSync(p, 'new 1\n');
    await waitFor(() => got.includes('new 1'), 2000, 'append');
    truncateSync(p, 0);
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(p, 'after rotation\n');
    await waitFor(() => got.includes('after rotation'), 2000, 'after truncate');
    stop.abort();
    await done;
    expect(got).toBe('new 1\nafter rotation\n');
  });
});

describe('ployd logs', () => {
  it('prints every replica with a prefix, or one replica, or its tail', async () => {
    writeLog('dev', 'llama', 0, ['a0', 'b0']);
    writeLog('dev', 'llama', 1, ['a1', 'b1', 'c1']);
    const all = await run(['logs', 'llama', '--state-dir', dir]);
    expect(all.code).toBe(0);
    expect(all.out).toBe('[0] a0\n[0] b0\n[1] a1\n[1] b1\n[1] c1\n');
    const one = await run(['logs', 'llama', '--state-dir', dir, '--replica', '1', '--tail', '2']);
    expect(one.out).toBe('b1\nc1\n');
  });

  it('asks for --namespace when the name is in several, and names what exists when not found', async () => {
    writeLog('dev', 'llama', 0, ['d']);
    writeLog('prod', 'llama', 0, ['p']);
    const amb = await run(['logs', 'llama', '--state-dir', dir]);
    expect(amb.code).toBe(2);
    expect(amb.err).toContain('E_USAGE: model llama has logs in namespaces dev, prod: pass --namespace');
    const ok = await run(['logs', 'llama', '--state-dir', dir, '-n', 'prod']);
    expect(ok.out).toBe('p\n');
    const missing = await run(['logs', 'mistral', '--state-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('E_NOT_FOUND: no logs for model mistral');
    expect(missing.err).toContain('models with logs: dev/llama, prod/llama');
    const badReplica = await run(['logs', 'llama', '--state-dir', dir, '-n', 'dev', '--replica', '7']);
    expect(badReplica.err).toContain('no log for replica 7 of dev/llama (replicas with logs: 0)');
    const badFlag = await run(['logs', 'llama', '--state-dir', dir, '--tail', '-3']);
    expect(badFlag.code).toBe(2);
  });

  it('shows what a supervised replica printed, and the supervisor notes', async () => {
    const marker = `mk-${randomUUID()}`;
    const rt = await createLocalRuntime({ stateDir: dir, gpus: new GpuInventory([]), handleSignals: false, timings: { startupProbeMs: 50 } });
    try {
      await rt.apply(fakeDeployment('echo', marker, { replicas: 1 }));
      await waitFor(() => rt.endpoints().length === 1, 5000, 'ready');
      const res = await run(['logs', 'echo', '--state-dir', dir]);
      expect(res.out).toMatch(/\[ployd .*\] starting replica 0 on port \d+: /);
      expect(res.out).toMatch(/fake server listening on 127\.0\.0\.1:\d+/);
    } finally {
      await rt.close();
    }
    expect(processesWith(marker)).toEqual([]);
  });
});
