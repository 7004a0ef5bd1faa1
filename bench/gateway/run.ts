// Gateway benchmark: same-run baselines (direct to the upstream, a minimal node:http + undici proxy)
// against the gateway with auth, rate limits, metrics and weighted routing on. Prints medians of
// ROUNDS runs and the ratios the targets are stated in.
//
//   node --import tsx bench/gateway/run.ts            (ROUNDS=3 DURATION=3 STREAMS=1000 by default)
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION = Number(process.env.DURATION ?? 3);
const STREAMS = Number(process.env.STREAMS ?? 1000);
const SKIP_STREAM = process.env.SKIP_STREAM === '1';
const SKIP_WORKERS = process.env.SKIP_WORKERS === '1';
const SKIP_PLAIN = process.env.SKIP_PLAIN === '1';
const here = import.meta.dirname;
const root = join(here, '..', '..');
const children: ChildProcess[] = [];

function start(file: string, env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    env: { ...process.env, PLOYD_LOG_LEVEL: process.env.PLOYD_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`${file} exited ${c}`)));
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(\d+)\s*\n/.exec(out) ?? /:(\d+)\s*\n/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'ployd-bench-'));
const lua = join(tmp, 'post.lua');
writeFileSync(
  lua,
  `wrk.method = "POST"\nwrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}'\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer sk-bench"\n`,
);

function toMs(v: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

async function wrk(url: string, connections: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${DURATION}s`, '--latency', '-s', lua, url], { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = non2xx + (sockErr ? sockErr.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0);
  return { rps, p50, p99, errors };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f = (n: number, d = 3): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function plain(targets: Record<'direct' | 'minimal' | 'gateway', string>): Promise<void> {
  const tput: Record<string, number[]> = { direct: [], minimal: [], gateway: [] };
  const lat: Record<string, { p50: number[]; p99: number[] }> = { direct: { p50: [], p99: [] }, minimal: { p50: [], p99: [] }, gateway: { p50: [], p99: [] } };
  let errors = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, url] of Object.entries(targets)) {
      const t = await wrk(url, 32);
      tput[name]!.push(t.rps);
      errors += t.errors;
      const l = await wrk(url, 1);
      lat[name]!.p50.push(l.p50);
      lat[name]!.p99.push(l.p99);
      errors += l.errors;
    }
  }
  console.log(`\nNon-streaming, ${ROUNDS} rounds x ${DURATION}s, wrk -t1 (errors: ${errors})`);
  console.log('target    rps@32conn (runs)                     p50@1conn ms  p99@1conn ms');
  for (const name of Object.keys(targets)) {
    console.log(`${name.padEnd(9)} ${f(median(tput[name]!), 0).padStart(8)} (${tput[name]!.map((x) => x.toFixed(0)).join(', ')})`.padEnd(50) + `${f(median(lat[name]!.p50))}`.padStart(10) + `${f(median(lat[name]!.p99))}`.padStart(14));
  }
  const ratio = median(tput.gateway!) / median(tput.minimal!);
  const addP50 = median(lat.gateway!.p50) - median(lat.direct!.p50);
  const addP99 = median(lat.gateway!.p99) - median(lat.direct!.p99);
  console.log(`gateway / minimal proxy throughput: ${f(ratio)} (target >= 0.9)`);
  console.log(`gateway / direct throughput:        ${f(median(tput.gateway!) / median(tput.direct!))}`);
  console.log(`added latency over direct, 1 conn:  p50 ${f(addP50)} ms (target <= 0.25), p99 ${f(addP99)} ms (target <= 1)`);
  console.log(`minimal proxy added latency:        p50 ${f(median(lat.minimal!.p50) - median(lat.direct!.p50))} ms, p99 ${f(median(lat.minimal!.p99) - median(lat.direct!.p99))} ms`);

}

async function main(): Promise<void> {
  const up = await start(join(here, 'upstream.ts'), {});
  const upstream = `http://127.0.0.1:${up.port}`;
  const proxy = await start(join(here, 'minimal-proxy.ts'), { UPSTREAM: upstream });
  const gw = await start(join(here, 'gateway-server.ts'), { UPSTREAM: upstream });
  const targets = {
    direct: `${upstream}/v1/chat/completions`,
    minimal: `http://127.0.0.1:${proxy.port}/v1/chat/completions`,
    gateway: `http://127.0.0.1:${gw.port}/v1/chat/completions`,
  };
  // Warm up JITs and connection pools.
  for (const url of Object.values(targets)) await wrk(url, 32);
  if (!SKIP_PLAIN) await plain(targets);

  if (!SKIP_STREAM) {
    const sRounds: Record<string, { ttftP99: number[]; gapP99: number[]; ttftP50: number[]; gapP50: number[]; failures: number }> = {
      direct: { ttftP99: [], gapP99: [], ttftP50: [], gapP50: [], failures: 0 },
      gateway: { ttftP99: [], gapP99: [], ttftP50: [], gapP50: [], failures: 0 },
    };
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of ['direct', 'gateway'] as const) {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', join(here, 'stream-load.ts')], { cwd: root, env: { ...process.env, TARGET: targets[name], STREAMS: String(STREAMS), RAMP_MS: process.env.RAMP_MS ?? '0' }, maxBuffer: 1 << 20 });
        const s = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ttftP50: number; ttftP99: number; gapP50: number; gapP99: number; failures: number };
        const row = sRounds[name]!;
        row.ttftP50.push(s.ttftP50);
        row.ttftP99.push(s.ttftP99);
        row.gapP50.push(s.gapP50);
        row.gapP99.push(s.gapP99);
        row.failures += s.failures;
      }
    }
    const rss = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${gw.child.pid}/status`, 'utf8'))?.[1];
    console.log(`\nStreaming: ${STREAMS} concurrent streams x 64 chunks @ 20 ms, starts spread over ${process.env.RAMP_MS ?? 0} ms, ${ROUNDS} rounds`);
    console.log('target    TTFT p50 / p99 ms        gap p50 / p99 ms      failures');
    for (const name of ['direct', 'gateway'] as const) {
      const r = sRounds[name]!;
      console.log(`${name.padEnd(9)} ${f(median(r.ttftP50), 2)} / ${f(median(r.ttftP99), 2)}`.padEnd(35) + `${f(median(r.gapP50), 2)} / ${f(median(r.gapP99), 2)}`.padEnd(22) + `${r.failures}`);
    }
    console.log(`added TTFT p99: ${f(median(sRounds.gateway!.ttftP99) - median(sRounds.direct!.ttftP99), 2)} ms (target <= 2)`);
    console.log(`added inter-chunk p99: ${f(median(sRounds.gateway!.gapP99) - median(sRounds.direct!.gapP99), 2)} ms (target <= 1)`);
    console.log(`gateway peak RSS (VmHWM): ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MB (target <= 256)`);
  }

  if (!SKIP_WORKERS) {
    // `ployd gateway --workers N`: the CLI, routes from a file (no API-key store standalone: auth off).
    const routes = join(tmp, 'routes.yaml');
    writeFileSync(
      routes,
      `apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata: {name: bench}\nspec:\n  path: /v1\n  authentication: {required: false}\n  rateLimit: {global: {rpm: 100000000, burst: 10000000}}\n  models:\n    - {name: stable, url: "${upstream}", weight: 90}\n    - {name: canary, url: "${upstream}/", weight: 10}\n`,
    );
    const results: string[] = [];
    for (const workers of [1, 2]) {
      // Workers share one fixed port (with --port 0 each would get its own).
      const port = 20000 + Math.floor(Math.random() * 20000);
      const c2 = spawn(process.execPath, [join(root, 'bin', 'ployd.js'), 'gateway', '--routes', routes, '--port', String(port), '--workers', String(workers), '--no-watch'], {
        cwd: root,
        env: { ...process.env, PLOYD_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(c2);
      const url = `http://127.0.0.1:${port}/v1/chat/completions`;
      for (let i = 0; i < 100; i++) {
        try {
          await run('curl', ['-sf', '-o', '/dev/null', `http://127.0.0.1:${port}/healthz`]);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      await wrk(url, 32);
      const runs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) runs.push((await wrk(url, 32)).rps);
      results.push(`--workers ${workers}: ${f(median(runs), 0)} rps (${runs.map((x) => x.toFixed(0)).join(', ')})`);
      c2.kill('SIGTERM');
      await new Promise((r) => c2.once('exit', r));
    }
    console.log(`\nployd gateway CLI (rate limit + metrics + weighted routing, no auth), 32 conns:`);
    for (const r of results) console.log(r);
  }
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
