import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitOpsPlatform, type RunningPlatform } from '../../src/cli/platform.ts';
import { eventually, TestRepo } from '../controller/harness.ts';

/**
 * Sync hooks end to end: the real local runtime (simulator replicas as processes), the real
 * gateway, one declared A100. Smoke tests send real requests through the gateway; command hooks
 * run as processes with a timeout; GPU checks read the runtime's inventory.
 */
let dir: string;
let repo: TestRepo;
let p: RunningPlatform;

const model = (name: string, simulator = ''): string => `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: ${name}
spec:
  model:
    name: ${name}
    framework: simulator
    path: hf://example/${name}
    simulator:
      timeToFirstToken: 2ms
      interTokenLatency: 1ms
      mode: echo
${simulator}  replicas: 1
---
apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: ${name}
spec:
  path: /v1
  rules:
  - matches:
    - model: ${name}
    backends:
    - name: ${name}
`;
const app = (name: string, hooks: string): string => `apiVersion: ployd.ai/v1
kind: Application
metadata:
  name: ${name}
spec:
  environment: dev
  source:
    path: ${name}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
  hooks:
${hooks}`;

const marker = (name: string): string => join(dir, `${name}.marker`);
const syncFail = (name: string): string => `  - name: notify
    phase: SyncFail
    command: ["sh", "-c", "echo \\"$PLOYD_APP $PLOYD_REVISION\\" > ${marker(name)}"]
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-hooks-'));
  repo = new TestRepo();
  // seed 000's validate-deployment: N real requests, a minimum success rate, a maximum latency.
  repo.write('apps/smoke-ok.yaml', app('smoke-ok', '  - name: validate-deployment\n    phase: PostSync\n    smokeTest:\n      model: smoke-ok\n      requests: 8\n      minSuccessRate: 1\n      maxLatencyMs: 5000\n'));
  repo.write('smoke-ok/m.yaml', model('smoke-ok'));
  repo.write(
    'apps/smoke-bad.yaml',
    app('smoke-bad', `  - name: validate-deployment\n    phase: PostSync\n    smokeTest:\n      model: smoke-bad\n      requests: 6\n      minSuccessRate: 0.8\n      maxLatencyMs: 5000\n${syncFail('smoke-bad')}`),
  );
  // Every completion fails with a server error: the replica is up (Healthy), the model is broken.
  repo.write('smoke-bad/m.yaml', model('smoke-bad', '      failureRate: 1\n      failureTypes: ["server_error"]\n'));
  repo.write(
    'apps/slow-hook.yaml',
    app(
      'slow-hook',
      `  - name: migrate\n    phase: PreSync\n    timeout: 1s\n    command: ["sh", "-c", "sleep 300 & echo $! >> ${join(dir, 'slow.pids')}; wait"]\n${syncFail('slow-hook')}`,
    ),
  );
  repo.write('slow-hook/m.yaml', model('slow-hook'));
  repo.write('apps/gpu-ok.yaml', app('gpu-ok', '  - name: validate-resources\n    phase: PreSync\n    gpuCapacity:\n      required: 1\n      gpuType: A100\n'));
  repo.write('gpu-ok/m.yaml', model('gpu-ok'));
  repo.write('apps/gpu-short.yaml', app('gpu-short', `  - name: validate-resources\n    phase: PreSync\n    gpuCapacity:\n      required: 2\n      gpuType: A100\n${syncFail('gpu-short')}`));
  repo.write('gpu-short/m.yaml', model('gpu-short'));
  repo.commit('hooks');
  p = await startGitOpsPlatform({ repo: repo.dir, stateDir: dir, store: { dataDir: join(dir, 'data') }, port: 0, gatewayPort: 0, host: '127.0.0.1', gpus: '1:A100' });
}, 60_000);
afterAll(async () => {
  await p.close();
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

const firstFailure = (name: string) =>
  eventually(async () => (await p.controller.history(name)).find((e) => e.phase === 'Failed'), 45_000, `${name}: a failed sync`);

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('sync hooks on the real runtime and gateway', () => {
  it('a passing smoke test: N real requests through the gateway, the sync succeeds', async () => {
    const ok = await eventually(async () => (await p.controller.history('smoke-ok')).find((e) => e.phase !== 'Running'), 45_000, 'smoke-ok sync finished');
    expect(ok.phase).toBe('Succeeded');
    const hook = ok.resources.find((r) => (r as { kind?: string }).kind === 'Hook') as { action: string; message: string };
    expect(hook).toMatchObject({ action: 'succeeded', message: expect.stringMatching(/^8\/8 requests to smoke-ok succeeded within 5000 ms/) as string });
    // The gateway counted them: the requests were real.
    const metrics = await (await fetch(`${p.gatewayUrl ?? ''}/metrics`)).text();
    expect(metrics).toMatch(/ployd_gateway_requests_total\{route="dev\/smoke-ok",backend="smoke-ok",code="200"\} 8\n/);
  }, 60_000);

  it('a failing smoke test fails the sync and runs the SyncFail hooks', async () => {
    const failed = await firstFailure('smoke-bad');
    expect(failed.result).toMatch(/^PostSync hook validate-deployment failed: 0\/6 requests to smoke-bad succeeded .*success rate 0\.00 < 0\.8; first failure: request 0: HTTP 5\d\d/);
    await eventually(() => Promise.resolve(existsSync(marker('smoke-bad'))), 10_000, 'SyncFail hook ran');
    expect(readFileSync(marker('smoke-bad'), 'utf8').trim()).toBe(`smoke-bad ${failed.revision ?? ''}`);
    const metrics = await (await fetch(`${p.gatewayUrl ?? ''}/metrics`)).text();
    expect(metrics).toMatch(/ployd_gateway_requests_total\{route="dev\/smoke-bad",backend="smoke-bad",code="500"\} [1-9]/);
    const view = await p.controller.get('smoke-bad');
    expect(view.lastOperation).toMatchObject({ phase: 'Failed', code: 'E_HOOK_FAILED' });
  }, 60_000);

  it('a command hook over its timeout is killed with its children; the sync fails with E_HOOK_TIMEOUT', async () => {
    const failed = await firstFailure('slow-hook');
    expect(failed.result).toBe(`PreSync hook migrate failed: command sh timed out after 1000 ms and was killed with its process group`);
    const hook = failed.resources.find((r) => (r as { name?: string }).name === 'migrate');
    expect(hook).toMatchObject({ kind: 'Hook', phase: 'PreSync', action: 'failed', code: 'E_HOOK_TIMEOUT' });
    const view = await p.controller.get('slow-hook');
    expect(view.lastOperation).toMatchObject({ phase: 'Failed', code: 'E_HOOK_TIMEOUT' });
    // What a person sees: `ployd app get` against the API prints the code with the message.
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../bin/ployd.js'), 'app', 'get', 'slow-hook'], {
      env: { ...process.env, PLOYD_SERVER: p.apiUrl, PLOYD_TOKEN: p.adminToken ?? '' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/Last sync: +Failed at [0-9a-f]{12}: E_HOOK_TIMEOUT PreSync hook migrate failed: command sh timed out after 1000 ms/);
    const pid = Number(readFileSync(join(dir, 'slow.pids'), 'utf8').split('\n')[0]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    // PreSync blocks the sync: nothing of this app was deployed.
    await expect(p.ployd.modelServing.getModel({ namespace: 'dev', name: 'slow-hook' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await eventually(() => Promise.resolve(existsSync(marker('slow-hook'))), 10_000, 'SyncFail hook ran');
  }, 60_000);

  it('GPU capacity PreSync: enough A100s passes, too few blocks the sync before anything is deployed', async () => {
    await eventually(async () => (await p.controller.history('gpu-ok'))[0]?.phase === 'Succeeded', 45_000, 'gpu-ok synced');
    const okHook = (await p.controller.history('gpu-ok'))[0]?.resources.find((r) => (r as { kind?: string }).kind === 'Hook');
    expect(okHook).toMatchObject({ action: 'succeeded', message: '1 A100 GPU(s) available, 1 required' });
    const failed = await firstFailure('gpu-short');
    expect(failed.result).toBe('PreSync hook validate-resources failed: needs 2 A100 GPU(s), the runtime has 1');
    await expect(p.ployd.modelServing.getModel({ namespace: 'dev', name: 'gpu-short' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await eventually(() => Promise.resolve(existsSync(marker('gpu-short'))), 10_000, 'SyncFail hook ran');
  }, 60_000);
});
