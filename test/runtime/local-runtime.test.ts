import { describe, expect, it } from 'vitest';
import { fakeDeployment, getJson, processesWith, waitFor } from './helpers.ts';
import { useLocalRuntime } from './local-fixture.ts';

const fx = useLocalRuntime();
const start = fx.start;
const ref = (name: string) => ({ namespace: 'test', name });

describe('local runtime: lifecycle', () => {
  it('starts replicas with GPUs, gates endpoints on readiness, scales up (pending on GPUs) and down with a drain', async () => {
    const runtime = await start({ gpus: '2:T4' });
    let changes = 0;
    runtime.onChange(() => changes++);
    const md = fakeDeployment('m1', fx.marker, { replicas: 2, resources: { gpu: { count: 1, type: 't4' } }, model: { name: 'served-m1' } }, ['--ready-after', '300']);
    await runtime.apply(md);
    // Not ready yet: no endpoint.
    await waitFor(async () => (await runtime.status(ref('m1')))?.replicas.every((r) => r.phase === 'Starting'), 3000, 'starting');
    expect(runtime.endpoints()).toEqual([]);
    const st = await waitFor(async () => {
      const s = await runtime.status(ref('m1'));
      return s?.health === 'Healthy' ? s : undefined;
    }, 5000, 'healthy');
    expect(st.readyReplicas).toBe(2);
    expect(changes).toBeGreaterThan(0);
    const eps = runtime.endpoints();
    expect(eps.map((e) => [e.servedModelName, e.replicaId])).toEqual([
      ['served-m1', 'm1-0'],
      ['served-m1', 'm1-1'],
    ]);
    const who = await Promise.all(eps.map((e) => getJson<{ cuda: string; replica: string }>(`${e.url}/whoami`)));
    expect(who.map((w) => w.cuda).sort()).toEqual(['0', '1']);
    expect(who.map((w) => w.replica)).toEqual(['test/m1/0', 'test/m1/1']);
    expect(st.replicas.map((r) => r.gpus)).toEqual([[0], [1]]);
    expect(processesWith(fx.marker)).toHaveLength(2);

    // A third replica finds no GPU.
    await runtime.scale(ref('m1'), 3);
    const pending = await waitFor(async () => (await runtime.status(ref('m1')))?.replicas.find((r) => r.index === 2 && r.reason), 3000, 'pending');
    expect(pending.phase).toBe('Pending');
    expect(pending.reason).toBe('needs 1 GPU of type t4, 0 free');
    expect((await runtime.status(ref('m1')))?.health).toBe('Progressing');

    // Scale to 1: the pending one goes first, then replica 1 is drained and stopped.
    await runtime.scale(ref('m1'), 1);
    await waitFor(() => runtime.endpoints().length === 1, 3000, 'endpoint removed');
    await waitFor(async () => (await runtime.status(ref('m1')))?.health === 'Healthy', 5000, 'healthy at 1');
    expect(processesWith(fx.marker)).toHaveLength(1);
    expect((await runtime.status(ref('m1')))?.replicas.map((r) => r.index)).toEqual([0]);

    await runtime.delete(ref('m1'));
    expect(await runtime.status(ref('m1'))).toBeUndefined();
    expect(processesWith(fx.marker)).toEqual([]);
    expect(runtime.endpoints()).toEqual([]);
  });

  it('drains: a replica leaves the endpoints at once but is stopped only when its in-flight requests reach 0', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('m2', fx.marker, { replicas: 2 }));
    await waitFor(() => runtime.endpoints().length === 2, 5000, 'two ready');
    const victim = runtime.endpoints()[1];
    if (!victim) throw new Error('no endpoint');
    await fetch(`${victim.url}/admin/load?running=2&waiting=1`);
    await runtime.scale(ref('m2'), 1);
    await waitFor(() => runtime.endpoints().length === 1, 2000, 'victim unrouted');
    await new Promise((r) => setTimeout(r, 600));
    const s = await runtime.status(ref('m2'));
    expect(s?.replicas.find((r) => r.index === 1)?.phase).toBe('Draining');
    expect(processesWith(fx.marker)).toHaveLength(2);
    await fetch(`${victim.url}/admin/load?running=0&waiting=0`);
    await waitFor(() => processesWith(fx.marker).length === 1, 3000, 'victim stopped after drain');
    await waitFor(async () => (await runtime.status(ref('m2')))?.health === 'Healthy', 2000, 'healthy at 1');
  });

  it('restarts a replica that crashes after being ready; it comes back', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('m3', fx.marker, { replicas: 1 }));
    const [ep] = await waitFor(() => (runtime.endpoints().length === 1 ? runtime.endpoints() : undefined), 5000, 'ready');
    const pid1 = (await runtime.status(ref('m3')))?.replicas[0]?.pid;
    await fetch(`${ep?.url}/admin/crash`);
    await waitFor(() => runtime.endpoints().length === 0, 2000, 'unrouted after crash');
    const back = await waitFor(async () => {
      const s = await runtime.status(ref('m3'));
      return s?.health === 'Healthy' ? s : undefined;
    }, 5000, 'back');
    expect(back.replicas[0]?.restarts).toBe(1);
    expect(back.replicas[0]?.pid).not.toBe(pid1);
    expect(processesWith(fx.marker)).toHaveLength(1);
  });

  it('restarts a replica whose liveness probe fails (a wedged server)', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('m4', fx.marker, { replicas: 1, health: { livenessProbe: { failureThreshold: 2, timeoutSeconds: 1 } } }));
    const [ep] = await waitFor(() => (runtime.endpoints().length === 1 ? runtime.endpoints() : undefined), 5000, 'ready');
    await fetch(`${ep?.url}/admin/hang`);
    const s = await waitFor(async () => {
      const st = await runtime.status(ref('m4'));
      return st?.replicas[0]?.reason?.startsWith('E_LIVENESS') ? st : undefined;
    }, 8000, 'liveness failure');
    expect(s.health).toBe('Degraded');
    await waitFor(async () => (await runtime.status(ref('m4')))?.health === 'Healthy', 8000, 'healthy again');
    expect((await runtime.status(ref('m4')))?.replicas[0]?.restarts).toBe(1);
    expect(processesWith(fx.marker)).toHaveLength(1);
  });

  it('autoscales up at once on load and down only after the stabilization window', async () => {
    const runtime = await start();
    await runtime.apply(
      fakeDeployment('m5', fx.marker, { scaling: { minReplicas: 1, maxReplicas: 3, targetInFlightPerReplica: 2, stabilizationWindow: '1s' } }),
    );
    const [ep] = await waitFor(() => (runtime.endpoints().length === 1 ? runtime.endpoints() : undefined), 5000, 'ready');
    await fetch(`${ep?.url}/admin/load?running=4&waiting=2`);
    await waitFor(async () => (await runtime.status(ref('m5')))?.desiredReplicas === 3, 3000, 'scale up to 3');
    await waitFor(() => runtime.endpoints().length === 3, 5000, 'three ready');
    await fetch(`${ep?.url}/admin/load?running=0&waiting=0`);
    // The last high sample is at most one tick (200 ms) old, so nothing may go before ~800 ms.
    await new Promise((r) => setTimeout(r, 500));
    expect((await runtime.status(ref('m5')))?.desiredReplicas).toBe(3);
    await waitFor(async () => (await runtime.status(ref('m5')))?.desiredReplicas === 1, 5000, 'scale down to 1');
    await waitFor(() => processesWith(fx.marker).length === 1, 5000, 'two stopped');
  });

  it('replaces replicas when the spec changes, keeping one serving throughout', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('m6', fx.marker, { replicas: 1 }));
    await waitFor(() => runtime.endpoints().length === 1, 5000, 'ready');
    const before = await runtime.status(ref('m6'));
    let emptyMoments = 0;
    runtime.onChange(() => {
      if (runtime.endpoints().length === 0) emptyMoments++;
    });
    await runtime.apply(fakeDeployment('m6', fx.marker, { replicas: 1, env: { VERSION: '2' } }));
    const after = await waitFor(async () => {
      const s = await runtime.status(ref('m6'));
      return s?.health === 'Healthy' && s.specHash !== before?.specHash && s.replicas.length === 1 ? s : undefined;
    }, 8000, 'replaced');
    expect(after.replicas[0]?.pid).not.toBe(before?.replicas[0]?.pid);
    expect(emptyMoments).toBe(0);
    expect(processesWith(fx.marker)).toHaveLength(1);
  });

  it('scaling to 0 suspends; bad scale input is refused with a code', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('m7', fx.marker, { replicas: 1 }));
    await waitFor(() => runtime.endpoints().length === 1, 5000, 'ready');
    await runtime.scale(ref('m7'), 0);
    await waitFor(async () => (await runtime.status(ref('m7')))?.health === 'Suspended', 5000, 'suspended');
    expect(processesWith(fx.marker)).toEqual([]);
    await expect(runtime.scale(ref('m7'), -1)).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(runtime.scale(ref('nope'), 1)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(
      runtime.apply(fakeDeployment('m8', fx.marker, { model: { framework: 'command', command: undefined } })),
    ).rejects.toMatchObject({ code: 'E_MISSING_FIELD' });
    expect(await runtime.status(ref('m8'))).toBeUndefined();
  });
});

