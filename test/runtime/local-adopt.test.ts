import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesWith } from './helpers.ts';
import { exited, serving, useSupervisors } from './supervisor-process.ts';

const fx = useSupervisors('ployd-adopt-');
const start = fx.start;

describe('local runtime: supervisor killed with -9 and restarted', { timeout: 120_000 }, () => {
  it('adopts the replicas it left: exactly 2, the same processes, serving; SIGTERM then stops them', async () => {
    const a = await start('apply');
    expect(processesWith(fx.marker)).toHaveLength(2);
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    // The replicas outlive a SIGKILLed supervisor (nothing can run in it to stop them) …
    expect(processesWith(fx.marker).sort()).toEqual([...a.ready.pids].sort());

    // … and a new supervisor, restoring from its state file, adopts them instead of doubling.
    const b = await start('restore');
    expect(b.ready.pids.sort()).toEqual([...a.ready.pids].sort());
    expect(processesWith(fx.marker).sort()).toEqual([...a.ready.pids].sort());
    expect((await serving(b.ready.urls)).sort()).toEqual([...a.ready.pids].sort());

    // Re-applying the same spec changes nothing.
    b.proc.kill('SIGKILL');
    await exited(b.proc);
    const c = await start('apply');
    expect(processesWith(fx.marker).sort()).toEqual([...a.ready.pids].sort());
    expect(c.ready.pids.sort()).toEqual([...a.ready.pids].sort());

    // Children die with the supervisor on SIGTERM.
    c.proc.kill('SIGTERM');
    await exited(c.proc);
    expect(processesWith(fx.marker)).toEqual([]);
  });

  it('with the state file lost, finds its replicas in /proc and replaces them: never doubles', async () => {
    const a = await start('apply');
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    unlinkSync(join(fx.dir, 'state.json'));
    const b = await start('apply');
    const now = processesWith(fx.marker);
    expect(now).toHaveLength(2);
    expect(now.some((p) => a.ready.pids.includes(p))).toBe(false);
    expect((await serving(b.ready.urls)).sort()).toEqual([...now].sort());
  });
});
