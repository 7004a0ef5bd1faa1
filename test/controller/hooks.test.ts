import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHook } from '../../src/controller/index.ts';
import { Hook } from '../../src/resources/index.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const hook = (spec: Record<string, unknown>): Hook => Hook.parse({ name: 'h', phase: 'PreSync', ...spec });

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** SIGKILL is delivered asynchronously and the orphan is reaped by init: wait for it, bounded. */
async function expectDead(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(alive(pid)).toBe(false);
}

describe('command hooks', () => {
  it('run in the revision tree with the app environment; output tail in the message', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ployd-hook-'));
    const r = await runHook(hook({ command: ['sh', '-c', 'echo "$PLOYD_APP at $(pwd)"'] }), { cwd: dir, env: { PLOYD_APP: 'chat' } });
    expect(r).toMatchObject({ ok: true, message: `command sh succeeded: chat at ${dir}` });
    expect(r.code).toBeUndefined();
  });

  it('a non-zero exit is E_HOOK_FAILED; a missing program too', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ployd-hook-'));
    expect(await runHook(hook({ command: ['sh', '-c', 'echo disk full >&2; exit 3'] }), { cwd: dir })).toMatchObject({
      ok: false,
      code: 'E_HOOK_FAILED',
      message: 'command sh exited with 3: disk full',
    });
    expect(await runHook(hook({ command: ['/nonexistent/ployd-hook'] }), { cwd: dir })).toMatchObject({
      ok: false,
      code: 'E_HOOK_FAILED',
      message: expect.stringContaining('command /nonexistent/ployd-hook could not start') as string,
    });
  });

  it('over its timeout: E_HOOK_TIMEOUT, and the whole process group is killed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ployd-hook-'));
    const pids = join(dir, 'pids');
    // 2 s leaves a loaded machine time to start sh and its child before the kill.
    const r = await runHook(hook({ timeout: '2s', command: ['sh', '-c', `sleep 300 & echo $! > ${pids}; wait`] }), { cwd: dir });
    expect(r).toMatchObject({ ok: false, code: 'E_HOOK_TIMEOUT', message: 'command sh timed out after 2000 ms and was killed with its process group' });
    await expectDead(Number(readFileSync(pids, 'utf8')));
  });

  it('a command that exits leaving a background process behind: the leftover is killed too', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ployd-hook-'));
    const pids = join(dir, 'pids');
    // The leftover holds stdout open: waiting for the pipes to close alone would wait 300 s.
    const r = await runHook(hook({ timeout: '60s', command: ['sh', '-c', `sleep 300 & echo $! > ${pids}; exit 0`] }), { cwd: dir });
    expect(r).toMatchObject({ ok: true });
    await expectDead(Number(readFileSync(pids, 'utf8')));
  });

  it('a Kubernetes Job hook is reported as not runnable here, never skipped', async () => {
    const r = await runHook(hook({ job: { apiVersion: 'batch/v1', kind: 'Job' } }), { cwd: tmpdir() });
    expect(r).toMatchObject({ ok: false, code: 'E_NOT_IMPLEMENTED_HERE' });
  });
});
