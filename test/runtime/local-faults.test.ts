import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ENV_STATE_DIR, createLocalRuntime } from '../../src/runtime/index.ts';
import { fakeDeployment, processesWith, waitFor } from './helpers.ts';
import { FAST_TIMINGS, useLocalRuntime } from './local-fixture.ts';

const fx = useLocalRuntime();
const start = fx.start;
const ref = (name: string) => ({ namespace: 'test', name });

describe('local runtime: faults', () => {
  it('a command that does not exist: Failed with E_COMMAND_NOT_FOUND, Degraded, no process', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('bad1', fx.marker, { replicas: 1, model: { command: { command: [`/nonexistent/vllm-${fx.marker}`, 'serve'] } } }));
    const s = await waitFor(async () => {
      const st = await runtime.status(ref('bad1'));
      return st?.replicas[0]?.phase === 'Failed' ? st : undefined;
    }, 3000, 'failed');
    expect(s.health).toBe('Degraded');
    expect(s.replicas[0]?.reason).toMatch(/^E_COMMAND_NOT_FOUND: command not found: \/nonexistent\/vllm-/);
    expect(s.message).toContain('E_COMMAND_NOT_FOUND');
    expect(runtime.endpoints()).toEqual([]);
  });

  it('a server that exits at once: CrashLoop with its last log lines, restarts backing off', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('bad2', fx.marker, { replicas: 1 }, ['--exit-at-once']));
    const s = await waitFor(async () => {
      const st = await runtime.status(ref('bad2'));
      return st?.replicas[0]?.phase === 'CrashLoop' && (st.replicas[0].restarts ?? 0) >= 2 ? st : undefined;
    }, 5000, 'crash loop');
    const r = s.replicas[0];
    expect(s.health).toBe('Degraded');
    expect(r?.reason).toMatch(/^E_CRASH_LOOP: exited with code 3 after .*; restart \d+ in /);
    expect(r?.lastLog?.some((l) => l.includes('fatal: model weights not found'))).toBe(true);
    expect(r?.url).toBeUndefined();
  });

  it('a server that never becomes ready: E_STARTUP_TIMEOUT, killed and restarted, never two at once', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('bad3', fx.marker, { replicas: 1, health: { startupTimeout: '800ms' } }, ['--never-ready']));
    let maxProcs = 0;
    const s = await waitFor(async () => {
      maxProcs = Math.max(maxProcs, processesWith(fx.marker).length);
      const st = await runtime.status(ref('bad3'));
      return st?.replicas[0]?.reason?.startsWith('E_STARTUP_TIMEOUT') && (st.replicas[0].restarts ?? 0) >= 1 ? st : undefined;
    }, 6000, 'startup timeout');
    expect(s.health).toBe('Degraded');
    expect(s.replicas[0]?.reason).toMatch(/not ready within 0\.8s/);
    await waitFor(() => processesWith(fx.marker).length === 1, 3000, 'restarted');
    expect(maxProcs).toBeLessThanOrEqual(1);
  });

  it('a declared port already taken: Pending with E_PORT_IN_USE, Ready once it frees', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const runtime = await start();
      await runtime.apply(fakeDeployment('bad4', fx.marker, { replicas: 1, serving: { port } }));
      const s = await waitFor(async () => {
        const st = await runtime.status(ref('bad4'));
        return st?.replicas[0]?.reason?.includes('E_PORT_IN_USE') ? st : undefined;
      }, 3000, 'port in use');
      expect(s.replicas[0]?.phase).toBe('Pending');
      expect(s.replicas[0]?.reason).toContain(`port ${port}`);
      expect(processesWith(fx.marker)).toEqual([]);
      await new Promise<void>((r) => blocker.close(() => r()));
      const ok = await waitFor(() => (runtime.endpoints().length === 1 ? runtime.endpoints() : undefined), 5000, 'ready after release');
      expect(ok[0]?.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });

  it('an allocated port stolen before the server binds: detected from its log, restarted on another port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    let calls = 0;
    try {
      const runtime = await start({
        // The first allocation hands out the stolen port, as a race with another process would.
        allocatePort: async (host) => {
          calls++;
          if (calls === 1) return taken;
          const { freePortForTest } = await import('./port.ts');
          return freePortForTest(host);
        },
      });
      await runtime.apply(fakeDeployment('bad5', fx.marker, { replicas: 1 }));
      const eps = await waitFor(() => (runtime.endpoints().length === 1 ? runtime.endpoints() : undefined), 5000, 'ready on another port');
      expect(eps[0]?.url).not.toContain(`:${taken}`);
      const s = await runtime.status(ref('bad5'));
      expect(s?.replicas[0]?.restarts).toBe(1);
      expect(calls).toBe(2);
    } finally {
      blocker.close();
    }
  });

  it('a replica that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('bad6', fx.marker, { replicas: 1 }, ['--ignore-term']));
    await waitFor(() => runtime.endpoints().length === 1, 5000, 'ready');
    const t0 = Date.now();
    await runtime.delete(ref('bad6'));
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(FAST_TIMINGS.terminationGraceMs);
    expect(processesWith(fx.marker)).toEqual([]);
    expect(await runtime.status(ref('bad6'))).toBeUndefined();
  });

  it('close() stops every replica (children die with the supervisor) and a second supervisor on the same dir is refused', async () => {
    const runtime = await start();
    await runtime.apply(fakeDeployment('m9', fx.marker, { replicas: 2 }));
    await waitFor(() => runtime.endpoints().length === 2, 5000, 'ready');
    await expect(createLocalRuntime({ stateDir: fx.dir, handleSignals: false })).rejects.toMatchObject({
      code: 'E_RUNTIME_LOCKED',
    });
    await runtime.close();
    expect(processesWith(fx.marker)).toEqual([]);
  });

  it('a server without metrics drains on the gateway\'s in-flight count before it is stopped', async () => {
    let gatewayInFlight = 1;
    const runtime = await start({ inFlight: () => gatewayInFlight });
    const md = fakeDeployment('nometrics', fx.marker, { replicas: 2 });
    const noMetrics = { ...md, spec: { ...md.spec, model: { ...md.spec.model, command: { command: md.spec.model.command?.command ?? [] } } } };
    await runtime.apply(noMetrics);
    await waitFor(() => runtime.endpoints().length === 2, 5000, 'two ready');
    await runtime.scale(ref('nometrics'), 1);
    await waitFor(() => runtime.endpoints().length === 1, 2000, 'unrouted');
    await new Promise((r) => setTimeout(r, 500));
    expect((await runtime.status(ref('nometrics')))?.replicas.find((r) => r.index === 1)?.phase).toBe('Draining');
    gatewayInFlight = 0;
    await waitFor(() => processesWith(fx.marker).length === 1, 3000, 'stopped once the gateway count reached 0');
  });

  it('start-up cleanup kills only processes the supervisor started, not one that merely shares the state dir in its environment', async () => {
    const decoy = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', fx.marker], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, [ENV_STATE_DIR]: fx.dir },
    });
    try {
      await waitFor(() => processesWith(fx.marker).length === 1, 3000, 'decoy running');
      await start();
      await new Promise((r) => setTimeout(r, 300));
      expect(processesWith(fx.marker)).toEqual([decoy.pid]);
    } finally {
      decoy.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
