import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type UpPlatform } from '../../src/cli/commands/up.ts';

/**
 * The README walkthrough, end to end: `ployd up` on the demo repo (real local runtime with
 * simulator processes, real gateway, real API), then a route-weight commit, a failed validation,
 * drift and self-heal, and a rollback, each through the same commands the README shows.
 */
let dir: string;
let p: UpPlatform;
const git = (...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: p.repo, encoding: 'utf8' });
// Asynchronous: the server runs in this process, a synchronous child would block it.
const cli = async (...args: string[]): Promise<string> =>
  (
    await promisify(execFile)('node', [join(import.meta.dirname, '../../bin/ployd.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, PLOYD_SERVER: p.apiUrl, PLOYD_TOKEN: p.adminToken ?? '' },
      timeout: 60_000,
    })
  ).stdout;
const chat = async (): Promise<Response> =>
  fetch(`${p.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 5 }),
  });
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-up-'));
  p = await startPlatform({ dataDir: dir, port: 0, gatewayPort: 0, host: '127.0.0.1', gpus: '0' });
}, 60_000);
afterAll(async () => {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ployd up: from npm start to rollback', () => {
  it('serves the demo: the route answers through the gateway with an API key', async () => {
    expect(p.adminToken).toMatch(/^pt_/);
    await until(async () => (await chat()).status === 200, 30_000, 'route answers');
    const res = await chat();
    expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    const list = await cli('app', 'list');
    expect(list).toMatch(/quickstart-dev\s+dev\s+Synced\s+Healthy/);
    expect(list).toMatch(/quickstart-production\s+production\s+OutOfSync/);
    const metrics = await (await fetch(`${p.apiUrl}/metrics`, { headers: { authorization: `Bearer ${p.adminToken ?? ''}` } })).text();
    expect(metrics).toMatch(/ployd_app_info\{name="quickstart-dev",project="quickstart",environment="dev",sync_status="Synced",health_status="Healthy",autosync_enabled="true"\} 1/);
    expect(metrics).toMatch(/ployd_app_sync_total\{phase="Succeeded"\} \d+/);
  }, 60_000);

  it('a route weight commit applies within a second (fs watch)', async () => {
    const route = join(p.repo, 'base/route.yaml');
    writeFileSync(route, readFileSync(route, 'utf8').replace('weight: 90', 'weight: 80').replace('weight: 10', 'weight: 20'));
    git('commit', '-qam', 'route: 80/20');
    const sha = git('rev-parse', 'HEAD').trim();
    const started = Date.now();
    await until(async () => (await p.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.models?.[0]?.weight === 80, 10_000, 'weight applied');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await cli('app', 'wait', 'quickstart-dev', '--revision', sha.slice(0, 12), '--timeout', '30')).toContain('Synced');
  }, 60_000);

  it('a failed validation is refused and shown; the last good state keeps serving', async () => {
    const models = join(p.repo, 'base/models.yaml');
    const good = git('rev-parse', 'HEAD').trim();
    // chat-v2's replica count (dev's patch sets chat-v1's, so break the other one).
    writeFileSync(models, readFileSync(models, 'utf8').replace('replicas: 1\n', 'replicas: -1\n'));
    git('commit', '-qam', 'oops');
    await until(async () => (await p.controller.get('quickstart-dev')).diagnostics.length > 0, 10_000, 'diagnostics');
    const out = await cli('app', 'get', 'quickstart-dev');
    expect(out).toContain('Diagnostic:');
    expect(out).toContain('base/models.yaml');
    expect((await p.controller.get('quickstart-dev')).revision).toBe(good);
    expect((await chat()).status).toBe(200);
    git('revert', '--no-edit', 'HEAD');
    const fixed = git('rev-parse', 'HEAD').trim();
    for (const app of ['quickstart-dev', 'quickstart-staging']) {
      await until(async () => {
        const a = await p.controller.get(app);
        return a.revision === fixed && a.diagnostics.length === 0 && !a.operation && a.syncStatus === 'Synced';
      }, 15_000, `${app} at the fixed revision`);
    }
  }, 60_000);

  it('drift through the SDK shows OutOfSync, then self-heals', async () => {
    await p.ployd.modelServing.scaleModel({ namespace: 'staging', name: 'chat-v2' }, 3, { subject: 'human', groups: [], via: 'cli' });
    await p.controller.enqueueAll();
    await until(async () => (await p.controller.get('quickstart-staging')).syncStatus === 'OutOfSync', 5_000, 'OutOfSync');
    // In-process: the CLI's start-up can take longer than the 5 s self-heal delay on a busy machine.
    const diff = await p.controller.diff('quickstart-staging');
    expect(diff.diffs.flatMap((d) => d.changes)).toContainEqual({ path: '/spec/replicas', desired: 1, live: 3 });
    // Production syncs only by hand: its diff stays.
    expect(await cli('app', 'diff', 'quickstart-production')).toContain('+ ModelDeployment/chat-v1 (added)');
    await until(async () => (await p.ployd.modelServing.getModel({ namespace: 'staging', name: 'chat-v2' })).resource.spec.replicas === 1, 20_000, 'self-heal');
  }, 60_000);

  it('rollback pins the previous revision and turns auto-sync off; sync --resume-auto-sync undoes it', async () => {
    const history = JSON.parse(await cli('app', 'history', 'quickstart-dev', '-o', 'json')) as { id: number; revision: string; phase: string; message: string }[];
    const initial = history.find((h) => h.phase === 'Succeeded' && h.message.startsWith('PloyD quickstart'));
    expect(initial).toBeDefined();
    const out = await cli('app', 'rollback', 'quickstart-dev', String(initial?.id));
    expect(out).toContain('Auto-sync:   off (pinned to');
    expect((await p.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.models?.[0]?.weight).toBe(90);
    await cli('app', 'sync', 'quickstart-dev', '--resume-auto-sync');
    expect((await p.ployd.aiGateway.getRoute({ namespace: 'dev', name: 'chat' })).resource.spec.models?.[0]?.weight).toBe(80);
  }, 60_000);
});
