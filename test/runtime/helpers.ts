import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModelDeployment } from '../../src/resources/index.ts';

export const FAKE_SERVER = fileURLToPath(new URL('./fixtures/fake-server.js', import.meta.url));

type LocalMd = ModelDeployment & { metadata: { namespace: string } };

/**
 * A `command`-framework deployment running the fake server. `marker` goes into argv so the test
 * can find every process of its own in /proc.
 */
export function fakeDeployment(name: string, marker: string, spec: Record<string, unknown> = {}, serverArgs: string[] = []): LocalMd {
  const { model, ...rest } = spec as { model?: Record<string, unknown> };
  return ModelDeployment.parse({
    apiVersion: 'ployd.ai/v1',
    kind: 'ModelDeployment',
    metadata: { name, namespace: 'test' },
    spec: {
      model: {
        framework: 'command',
        command: { command: [process.execPath, FAKE_SERVER, '--port', '{port}', '--host', '{host}', '--marker', marker, ...serverArgs], metricsPath: '/metrics' },
        ...model,
      },
      ...rest,
    },
  }) as LocalMd;
}

/** Live (non-zombie) pids whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (!cmd.includes(marker)) continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

