import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const routeYaml = (name: string, url: string, path = '/v1') =>
  `apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata:\n  name: ${name}\nspec:\n  path: ${path}\n  models:\n    - name: up\n      url: "${url}"\n`;

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('ployd gateway (CLI)', () => {
  let up: FakeUpstream;
  let dir: string;
  beforeAll(async () => {
    up = await startFakeUpstream('cli');
    dir = mkdtempSync(join(tmpdir(), 'ployd-gw-cli-'));
  });
  afterAll(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves routes from a folder with two workers, reloads on change, exits on SIGTERM', async () => {
    writeFileSync(join(dir, 'route.yaml'), routeYaml('r', up.url));
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/ployd.js', 'gateway', '--config', dir, '--port', String(port), '--workers', '2'], {
      env: { ...process.env, PLOYD_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const post = async (path: string) => {
        const res = await request(`${base}${path}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [] }) });
        await res.body.dump();
        return res.statusCode;
      };
      expect(await waitFor(async () => (await post('/v1')) === 200, 20_000)).toBe(true);
      expect(await post('/v2')).toBe(404);
      writeFileSync(join(dir, 'route.yaml'), routeYaml('r', up.url, '/v2'));
      // Every worker watches and reloads: after a while both answer on the new path.
      expect(await waitFor(async () => (await post('/v2')) === 200 && (await post('/v2')) === 200 && (await post('/v1')) === 404, 10_000)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  });

  it('refuses a bad config with a coded error naming the file', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata: {name: b}\nspec:\n  path: no-slash\n');
    const child = spawn(process.execPath, ['bin/ployd.js', 'gateway', '--config', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    expect(err).toMatch(/error E_\w+: .*bad\.yaml: spec\.path/);
    rmSync(join(dir, 'bad.yaml'));
  });
});
