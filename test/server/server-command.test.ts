import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PloydClient } from '../../src/index.ts';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

const children: ChildProcess[] = [];

/** Starts `ployd server` as users do, in its own process, and waits for its listening line. */
function startServerProcess(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ['bin/ployd.js', 'server', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, PLOYD_LOG_LEVEL: 'info', PLOYD_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ployd server did not start: ${err}`)), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ployd server exited with ${String(code)}: ${err}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ployd server listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err });
      }
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) await stop(c);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('ployd server', () => {
  it('prints an admin token once at first start, never again, and never logs it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ployd-server-'));
    dirs.push(dataDir);

    const first = await startServerProcess(dataDir);
    const m = /admin token \(shown once, store it now\): (\S+)/.exec(first.stdout());
    expect(m?.[1]).toBeDefined();
    const token = m?.[1] ?? '';
    const client = new PloydClient({ server: first.url, token });
    expect((await client.whoami()).groups).toContain('role:admin');
    await client.modelRegistry.registerModel({ name: 'persisted', version: 'v1', path: 's3://x' });
    await client.close();
    expect(await stop(first.child)).toBe(0);
    expect(first.stderr()).not.toContain(token);
    expect(first.stderr()).toContain('"component":"access"');

    const second = await startServerProcess(dataDir);
    expect(second.stdout()).not.toMatch(/admin token/);
    const again = new PloydClient({ server: second.url, token });
    expect((await again.modelRegistry.getModel('persisted')).latestVersion).toBe('v1');
    await again.close();
    expect(await stop(second.child)).toBe(0);
    expect(second.stderr()).not.toContain(token);
    // Two cold starts of a process with an embedded database: slow on a loaded two-core machine.
  }, 180_000);
});
