import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PloydClient } from '../../src/index.ts';
import { createPloyd } from '../../src/sdk/index.ts';
import { openStore } from '../../src/store/index.ts';
import { argoRepo } from '../e2e/argo-repo.ts';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

const children: ChildProcess[] = [];

/** Starts `ployd server` as users do, in its own process, and waits for its listening line. */
function startServerProcess(dataDir: string, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['bin/ployd.js', 'server', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    env: { ...process.env, PLOYD_LOG_LEVEL: 'info', PLOYD_DATABASE_URL: '', ...extraEnv },
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

/** Live (non-zombie) descendants of `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parent.set(Number(e), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('ployd server --repo', () => {
  it('without --repo the webhook and the applications say there is no git source (404 E_NOT_FOUND), not an auth error', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ployd-server-'));
    dirs.push(dataDir);
    const s = await startServerProcess(dataDir, [], { PLOYD_WEBHOOK_SECRET: 'x' });
    const res = await fetch(`${s.url}/api/v1/webhook`, { method: 'POST', headers: { 'x-gitlab-token': 'x' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringContaining('--repo') as string });
    const token = /admin token \(shown once, store it now\): (\S+)/.exec(s.stdout())?.[1] ?? '';
    const apps = await fetch(`${s.url}/api/v1/applications`, { headers: { authorization: `Bearer ${token}` } });
    expect(apps.status).toBe(404);
    expect(((await apps.json()) as { error: { message: string } }).error.message).toContain('no GitOps controller');
    const misuse = spawnSync(process.execPath, ['bin/ployd.js', 'server', '--port', '0', '--data-dir', dataDir, '--verify-signatures'], { encoding: 'utf8' });
    expect(misuse.status).toBe(2);
    expect(misuse.stderr).toContain('E_USAGE: --verify-signatures needs --repo');
    // A flag with a default counts when it is given.
    const poll = spawnSync(process.execPath, ['bin/ployd.js', 'server', '--port', '0', '--data-dir', dataDir, '--poll', '10'], { encoding: 'utf8' });
    expect(poll.status).toBe(2);
    expect(poll.stderr).toContain('E_USAGE: --poll needs --repo');
    expect(await stop(s.child)).toBe(0);
  }, 180_000);

  it('reconciles a repo (seed 000 Argo CD Application): Applications API, gateway, webhook refresh, clean stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ployd-server-repo-'));
    dirs.push(dir);
    const repo = argoRepo();
    dirs.push(repo.dir);
    const secret = 'server-webhook-secret';
    const s = await startServerProcess(
      join(dir, 'data'),
      ['--repo', `file://${repo.dir}`, '--state-dir', dir, '--gateway-port', '0', '--gpus', '0', '--poll', '3600'],
      { PLOYD_WEBHOOK_SECRET: secret },
    );
    const token = /admin token \(shown once, store it now\): (\S+)/.exec(s.stdout())?.[1] ?? '';
    const gateway = /gateway listening on (\S+)/.exec(s.stdout())?.[1] ?? '';
    expect(token).not.toBe('');
    expect(s.stdout()).toContain(`(GitOps: file://${repo.dir})`);
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${s.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    };
    interface App {
      name: string;
      project: string;
      environment: string;
      syncStatus: string;
      healthStatus: string;
      revision: string | null;
    }
    const first = repo.git('rev-parse', 'HEAD').trim();
    await until(async () => (await api<{ items: App[] }>('/applications')).items.some((a) => a.syncStatus === 'Synced' && a.healthStatus === 'Healthy'), 60_000, 'app Synced and Healthy');
    expect((await api<{ items: App[] }>('/applications')).items).toEqual([
      expect.objectContaining({ name: 'chat-foundation', project: 'llm-models', environment: 'development', revision: first }),
    ]);
    const client = new PloydClient({ server: s.url, token });
    const { key } = await client.security.createApiKey({ name: 'server-repo-test' });
    await client.close();
    const chat = (): Promise<Response> =>
      fetch(`${gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
      });
    await until(async () => (await chat()).status === 200, 30_000, 'route answers');

    // A remote URL polled hourly: only the webhook brings the next commit.
    repo.edit('applications/chat/overlays/development/kustomization.yaml', 'value: 1', 'value: 2');
    const second = repo.commit('development: two replicas');
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const bad = await fetch(`${s.url}/api/v1/webhook`, { method: 'POST', headers: { 'x-hub-signature-256': 'sha256=00' }, body });
    expect(bad.status).toBe(401);
    const good = await fetch(`${s.url}/api/v1/webhook`, {
      method: 'POST',
      headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
      body,
    });
    expect(good.status).toBe(202);
    await until(async () => (await api<App>('/applications/chat-foundation')).revision === second, 30_000, 'webhook brought the new commit');
    const history = await api<{ items: { revision: string; phase: string }[] }>('/applications/chat-foundation/history');
    expect(history.items[0]).toMatchObject({ revision: second });

    const pid = s.child.pid ?? 0;
    const replicas = descendants(pid);
    expect(replicas.length).toBeGreaterThan(0);
    expect(await stop(s.child)).toBe(0);
    await until(() => Promise.resolve(!replicas.some(alive)), 10_000, 'replica processes gone');
    expect(s.stderr()).not.toContain(token);
    // The key the server made for its smoke tests was never shown: it does not outlive the process.
    const store = await openStore({ dataDir: join(dir, 'data') });
    const ployd = createPloyd({ store });
    try {
      const keys = (await ployd.security.listApiKeys({ includeRevoked: true })).items;
      expect(keys.filter((k) => k.name.startsWith('ployd-')).map((k) => k.revokedAt !== undefined)).toEqual([true]);
      expect(keys.find((k) => k.name === 'server-repo-test')?.revokedAt).toBeUndefined();
    } finally {
      await ployd.close();
      await store.close();
    }
  }, 240_000);
});

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
