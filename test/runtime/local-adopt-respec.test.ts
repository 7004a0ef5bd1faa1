import { describe, expect, it } from 'vitest';
import { processesWith, waitFor } from './helpers.ts';
import { exited, serving, useSupervisors } from './supervisor-process.ts';

const fx = useSupervisors('ployd-adopt-');
const start = fx.start;

describe('local runtime: supervisor killed with -9, restarted with a changed spec', { timeout: 120_000 }, () => {
  it('a spec changed while the supervisor was down: the adopted replicas are replaced by a rolling update', async () => {
    const a = await start('apply');
    a.proc.kill('SIGKILL');
    await exited(a.proc);
    const b = await start('apply-v2');
    // The old two may still be draining when the new two are ready; wait for them to go.
    await waitFor(() => processesWith(fx.marker).length === 2, 5000, 'old replicas stopped');
    const now = processesWith(fx.marker);
    expect(now.some((p) => a.ready.pids.includes(p))).toBe(false);
    expect((await serving(b.ready.urls)).sort()).toEqual([...now].sort());
  });
});
