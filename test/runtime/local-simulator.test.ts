import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelDeployment } from '../../src/resources/index.ts';
import { ENV_STATE_DIR, GpuInventory, createLocalRuntime, type Runtime } from '../../src/runtime/index.ts';
import { findProcessesWithEnv } from '../../src/runtime/local/proc.ts';
import { waitFor } from './helpers.ts';

let dir: string;
let rt: Runtime | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-rtsim-'));
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  expect(findProcessesWithEnv(ENV_STATE_DIR, dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

describe('local runtime with the real simulator launcher', () => {
  it('runs `ployd simulator` replicas that serve the model and report vLLM metrics', async () => {
    rt = await createLocalRuntime({ stateDir: dir, gpus: new GpuInventory([]), handleSignals: false, timings: { startupProbeMs: 100 } });
    const md = ModelDeployment.parse({
      apiVersion: 'ployd.ai/v1',
      kind: 'ModelDeployment',
      metadata: { name: 'sim', namespace: 'dev' },
      spec: { model: { framework: 'simulator', name: 'tiny-chat', simulator: { startupDelay: '200ms' } }, replicas: 2 },
    }) as ModelDeployment & { metadata: { namespace: string } };
    await rt.apply(md);
    const runtime = rt;
    // Generous: each replica compiles PloyD's TypeScript at start, and CI machines are shared.
    const eps = await waitFor(() => (runtime.endpoints().length === 2 ? runtime.endpoints() : undefined), 40_000, 'two simulators ready');
    expect(eps.map((e) => e.servedModelName)).toEqual(['tiny-chat', 'tiny-chat']);
    const models = (await (await fetch(`${eps[0]?.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toContain('tiny-chat');
    const metrics = await (await fetch(`${eps[1]?.url}/metrics`)).text();
    expect(metrics).toContain('vllm:num_requests_running');
    expect(findProcessesWithEnv(ENV_STATE_DIR, dir)).toHaveLength(2);
    expect((await runtime.status({ namespace: 'dev', name: 'sim' }))?.health).toBe('Healthy');
  }, 60_000);
});
