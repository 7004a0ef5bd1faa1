import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, readState, statePath, writeState } from './state-file.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const replica = {
  namespace: 'dev',
  name: 'm',
  index: 0,
  uid: 'u-1',
  pid: 1234,
  pgid: 1234,
  port: 40000,
  host: '127.0.0.1',
  specHash: 'abc',
  startedAt: 1,
  startTicks: 99,
  cmdline: ['node', 'x'],
  gpus: [0],
  restarts: 2,
};

describe('state file', () => {
  it('round-trips and starts empty when missing', () => {
    expect(readState(dir).state).toEqual({ version: 1, deployments: [], replicas: [] });
    const state = {
      version: 1 as const,
      deployments: [{ deployment: { metadata: { name: 'm', namespace: 'dev' }, spec: {} }, specHash: 'abc', desired: 1 }],
      replicas: [replica],
    };
    writeState(dir, state);
    expect(readState(dir)).toEqual({ state });
  });

  it('sets a corrupt file aside with a warning instead of refusing to start', () => {
    writeFileSync(statePath(dir), '{"version": 1, "replicas": [');
    const { state, warning } = readState(dir);
    expect(state.replicas).toEqual([]);
    expect(warning).toMatch(/state file .* unreadable/);
    expect(existsSync(`${statePath(dir)}.corrupt`)).toBe(true);
    writeFileSync(statePath(dir), JSON.stringify({ version: 1, deployments: [], replicas: [{ ...replica, pid: -1 }] }));
    expect(readState(dir).warning).toBeDefined();
  });
});

describe('supervisor lock', () => {
  it('refuses a second holder while the first lives, and frees on release', () => {
    const release = acquireLock(dir);
    expect(() => acquireLock(dir)).toThrow(expect.objectContaining({ code: 'E_RUNTIME_LOCKED' }) as Error);
    release();
    acquireLock(dir)();
  });

  it('takes over the lock of a dead supervisor', () => {
    writeFileSync(join(dir, 'supervisor.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, startTicks: 1 }));
    const release = acquireLock(dir);
    release();
    writeFileSync(join(dir, 'supervisor.lock'), 'garbage');
    acquireLock(dir)();
  });
});
