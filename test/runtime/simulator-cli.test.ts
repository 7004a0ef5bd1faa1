import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHERS } from '../../src/runtime/frameworks/index.ts';
import { ModelDeployment } from '../../src/resources/index.ts';
import { chatBody } from './simulator-helpers.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}): Run {
  const child = spawn(command, args, { env: { ...process.env, ...env, PLOYD_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before listening: ${stderr}`)));
  });
  url.catch(() => undefined);
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, url, exit };
}

describe('ployd simulator (CLI process)', () => {
  it('starts from the simulator launcher’s argv, serves, and on SIGTERM finishes the in-flight stream then exits 0', async () => {
    const md = ModelDeployment.parse({
      apiVersion: 'ployd.ai/v1',
      kind: 'ModelDeployment',
      metadata: { name: 'sim-a' },
      spec: { model: { framework: 'simulator', simulator: { mode: 'echo', interTokenLatency: '20ms' } } },
    });
    const spec = LAUNCHERS.simulator.launch(md, { port: 0, gpus: [], replicaIndex: 0, host: '127.0.0.1' });
    const r = run(spec.command, spec.args, { ...spec.env });
    const url = await r.url;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const res = await fetch(`${url}/v1/chat/completions`, chatBody('sim-a', 'w '.repeat(20).trim(), { stream: true }));
    expect(res.status).toBe(200);
    r.child.kill('SIGTERM');
    const text = await res.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const { code, stdout } = await r.exit;
    expect(code).toBe(0);
    expect(stdout).toContain('SIGTERM');
  });

  it('bad flags exit 2 naming the flag; a taken port exits 1 with E_PORT_IN_USE', async () => {
    const bad = run(process.execPath, ['bin/ployd.js', 'simulator', '--model', 'm', '--port', '0', '--max-num-seqs', '0']);
    const b = await bad.exit;
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--max-num-seqs');

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = run(process.execPath, ['bin/ployd.js', 'simulator', '--model', 'm', '--port', String(port)]);
      const t = await taken.exit;
      expect(t.code).toBe(1);
      expect(t.stderr).toContain('E_PORT_IN_USE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
