import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { GatewayRoute, ModelDeployment } from '../../src/resources/index.ts';
import { ENV_STATE_DIR, GpuInventory, createLocalRuntime, type Runtime } from '../../src/runtime/index.ts';
import { findProcessesWithEnv } from '../../src/runtime/local/proc.ts';
import { waitFor } from '../runtime/helpers.ts';

/**
 * Issue #5's check: kill replicas under load through the gateway. Non-streaming requests succeed
 * by retry on the surviving replica, and the supervisor brings the killed one back.
 */
describe('killing a replica under load, through the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ployd-kill-'));
  let runtime: Runtime;
  let gateway: Gateway;
  let url = '';
  const md = ModelDeployment.parse({
    apiVersion: 'ployd.ai/v1',
    kind: 'ModelDeployment',
    metadata: { name: 'chat', namespace: 'dev' },
    spec: { model: { framework: 'simulator', name: 'chat', simulator: { timeToFirstToken: '5ms', interTokenLatency: '1ms' } }, replicas: 2 },
  }) as ModelDeployment & { metadata: { namespace: string } };
  const route = GatewayRoute.parse({
    apiVersion: 'ployd.ai/v1',
    kind: 'GatewayRoute',
    metadata: { name: 'chat', namespace: 'dev' },
    spec: { path: '/v1', models: [{ name: 'chat', weight: 100 }], routing: { retries: 3 }, authentication: { required: false } },
  });

  beforeAll(async () => {
    runtime = await createLocalRuntime({
      stateDir: dir,
      gpus: new GpuInventory([]),
      handleSignals: false,
      timings: { startupProbeMs: 100, probePeriodMs: 500, backoffInitialMs: 200 },
    });
    gateway = createGateway({});
    const publish = (): void => gateway.publish({ routes: [route], deployments: [md], endpoints: runtime.endpoints() });
    runtime.onChange(publish);
    publish();
    url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
    await runtime.apply(md);
    await waitFor(() => (runtime.endpoints().length === 2 ? true : undefined), 60_000, 'two replicas ready');
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await runtime?.close();
    expect(findProcessesWithEnv(ENV_STATE_DIR, dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no non-streaming request and restarts the killed replica', async () => {
    const before = await runtime.status({ namespace: 'dev', name: 'chat' });
    const victim = before?.replicas.find((r) => r.phase === 'Ready' && r.pid !== undefined);
    expect(victim?.pid).toBeDefined();

    const statuses: number[] = [];
    let sent = 0;
    const TOTAL = 300;
    const worker = async (): Promise<void> => {
      while (sent < TOTAL) {
        sent++;
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `request ${sent}` }], max_tokens: 8 }),
        });
        await res.arrayBuffer();
        statuses.push(res.status);
        // Kill one replica (the whole process) once the load is running.
        if (sent === 60 && victim?.pid !== undefined) process.kill(victim.pid, 'SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    expect(statuses).toHaveLength(TOTAL);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const healed = await waitFor(
      async () => {
        const s = await runtime.status({ namespace: 'dev', name: 'chat' });
        return s && s.readyReplicas === 2 && s.replicas.some((r) => r.restarts > 0) ? s : undefined;
      },
      60_000,
      'killed replica restarted and ready',
    );
    expect(healed.health).toBe('Healthy');
    expect(healed.replicas.map((r) => r.pid)).not.toContain(victim?.pid);
  }, 120_000);
});
