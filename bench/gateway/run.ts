// Gateway benchmark: same-run baselines (direct to the upstream, a minimal node:http + undici proxy)
// against the gateway with auth, rate limits, metrics and weighted routing on. Prints medians of
// ROUNDS runs, the ratios the targets are stated in, and the CPU time each proxy process
// spent per request (from /proc: steadier than wall figures on a shared machine).
//
//   node --import tsx bench/gateway/run.ts            (ROUNDS=3 DURATION=3 WARMUP=10 STREAMS=1000 by default)
//
// The servers run from esbuild bundles built the way bin/ployd.js builds `ployd` (no keepNames),
// because that is how users run `ployd gateway`; RUNNER=tsx runs them under tsx instead.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION = Number(process.env.DURATION ?? 3);
const STREAMS = Number(process.env.STREAMS ?? 1000);
const WARMUP = Number(process.env.WARMUP ?? 10);
const SKIP_STREAM = process.env.SKIP_STREAM === '1';
const SKIP_WORKERS = process.env.SKIP_WORKERS === '1';
const SKIP_PLAIN = process.env.SKIP_PLAIN === '1';
const RUNNER = process.env.RUNNER === 'tsx' ? 'tsx' : 'bundle';
const here = import.meta.dirname;
const root = join(here, '..', '..');
const children: ChildProcess[] = [];
// Bundles go under dist/ (git-ignored) so their bare imports resolve from the repo's node_modules.
const buildDir = join(root, 'dist', `bench-gateway-${process.pid}`);

/** Bundles a bench server with the options bin/ployd.js uses for the CLI (esbuild defaults: no keepNames). */
async function entryOf(file: string): Promise<string[]> {
  if (RUNNER === 'tsx') return ['--import', 'tsx', file];
  const esbuild = await import('esbuild');
  const name = file.replace(/^.*\//, '').replace(/\.ts$/, '');
  await esbuild.build({ entryPoints: { [name]: file }, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', outdir: buildDir, logLevel: 'silent' });
  return [join(buildDir, `${name}.js`)];
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (CLK_TCK 100)
}

/**
 * A port that is free now, below Linux's ephemeral range (32768+): a random one from that range
 * can be taken meanwhile by an outgoing connection of the earlier rounds (EADDRINUSE).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function start(file: string, env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...(await entryOf(file)), ...args], {
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

async function wrk(url: string, connections: number, seconds = DURATION): Promise<{ rps: number; p50: number; p99: number; errors: number; requests: number }> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', lua, url], { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = non2xx + (sockErr ? sockErr.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  return { rps, p50, p99, errors, requests };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f = (n: number, d = 3): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

type Target = 'direct' | 'minimal' | 'gateway';

async function plain(targets: Record<Target, string>, pids: Record<Target, number | undefined>): Promise<void> {
  const tput: Record<string, number[]> = { direct: [], minimal: [], gateway: [] };
  const cpu: Record<string, number[]> = { direct: [], minimal: [], gateway: [] };
  const lat: Record<string, { p50: number[]; p99: number[] }> = { direct: { p50: [], p99: [] }, minimal: { p50: [], p99: [] }, gateway: { p50: [], p99: [] } };
  let errors = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, url] of Object.entries(targets) as [Target, string][]) {
      const before = cpuMs(pids[name]);
      const t = await wrk(url, 32);
      // CPU of the process under test per request served (the direct target: the upstream itself).
      cpu[name]!.push(((cpuMs(pids[name]) - before) * 1000) / t.requests);
      tput[name]!.push(t.rps);
      errors += t.errors;
      const l = await wrk(url, 1);
      lat[name]!.p50.push(l.p50);
      lat[name]!.p99.push(l.p99);
      errors += l.errors;
    }
  }
  console.log(`\nNon-streaming, ${ROUNDS} rounds x ${DURATION}s, wrk -t1, servers run as ${RUNNER} (errors: ${errors})`);
  console.log('target    rps@32conn (runs)                     p50@1conn ms  p99@1conn ms  CPU us/req (runs)');
  for (const name of Object.keys(targets)) {
    console.log(
      `${name.padEnd(9)} ${f(median(tput[name]!), 0).padStart(8)} (${tput[name]!.map((x) => x.toFixed(0)).join(', ')})`.padEnd(50) +
        `${f(median(lat[name]!.p50))}`.padStart(10) +
        `${f(median(lat[name]!.p99))}`.padStart(14) +
        `  ${f(median(cpu[name]!), 1)} (${cpu[name]!.map((x) => x.toFixed(1)).join(', ')})`,
    );
  }
  const ratio = median(tput.gateway!) / median(tput.minimal!);
  const addP50 = median(lat.gateway!.p50) - median(lat.direct!.p50);
  const addP99 = median(lat.gateway!.p99) - median(lat.direct!.p99);
  console.log(`gateway / minimal proxy throughput: ${f(ratio)} (target >= 0.9)`);
  console.log(`gateway / direct throughput:        ${f(median(tput.gateway!) / median(tput.direct!))}`);
  console.log(`proxy CPU per request, gateway / minimal: ${f(median(cpu.gateway!) / median(cpu.minimal!))}`);
  console.log(`added latency over direct, 1 conn:  p50 ${f(addP50)} ms (target <= 0.25), p99 ${f(addP99)} ms (target <= 1)`);
  console.log(`minimal proxy added latency:        p50 ${f(median(lat.minimal!.p50) - median(lat.direct!.p50))} ms, p99 ${f(median(lat.minimal!.p99) - median(lat.direct!.p99))} ms`);
}

interface StreamRound {
  ttftP50: number;
  ttftP99: number;
  gapP50: number;
  gapP99: number;
  failures: number;
}

async function streaming(targets: Record<Target, string>, pids: Record<Target, number | undefined>): Promise<void> {
  const names: Target[] = ['direct', 'minimal', 'gateway'];
  const rounds: Record<string, StreamRound[]> = { direct: [], minimal: [], gateway: [] };
  const cpu: Record<string, number[]> = { direct: [], minimal: [], gateway: [] };
  const loadArgs = await entryOf(join(here, 'stream-load.ts'));
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) {
      const before = cpuMs(pids[name]);
      const { stdout } = await run(process.execPath, loadArgs, { cwd: root, env: { ...process.env, TARGET: targets[name], STREAMS: String(STREAMS), RAMP_MS: process.env.RAMP_MS ?? '0' }, maxBuffer: 1 << 20 });
      cpu[name]!.push(cpuMs(pids[name]) - before);
      rounds[name]!.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as StreamRound);
    }
  }
  const m = (name: Target, k: keyof StreamRound): number => median(rounds[name]!.map((x) => x[k]));
  const rss = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pids.gateway}/status`, 'utf8'))?.[1];
  console.log(`\nStreaming: ${STREAMS} concurrent streams x 64 chunks @ 20 ms, starts spread over ${process.env.RAMP_MS ?? 0} ms, ${ROUNDS} rounds`);
  console.log('target    TTFT p50 / p99 ms        gap p50 / p99 ms      failures  CPU ms per run (process under test)');
  for (const name of names) {
    console.log(
      `${name.padEnd(9)} ${f(m(name, 'ttftP50'), 2)} / ${f(m(name, 'ttftP99'), 2)}`.padEnd(35) +
        `${f(m(name, 'gapP50'), 2)} / ${f(m(name, 'gapP99'), 2)}`.padEnd(22) +
        `${rounds[name]!.reduce((a, x) => a + x.failures, 0)}`.padEnd(10) +
        `${f(median(cpu[name]!), 0)}`,
    );
  }
  for (const base of ['direct', 'minimal'] as const) {
    console.log(
      `gateway over ${base}: added TTFT p99 ${f(m('gateway', 'ttftP99') - m(base, 'ttftP99'), 2)} ms (target <= 2), added inter-chunk p99 ${f(m('gateway', 'gapP99') - m(base, 'gapP99'), 2)} ms (target <= 1)`,
    );
  }
  console.log(`minimal over direct: added TTFT p99 ${f(m('minimal', 'ttftP99') - m('direct', 'ttftP99'), 2)} ms, added inter-chunk p99 ${f(m('minimal', 'gapP99') - m('direct', 'gapP99'), 2)} ms`);
  console.log(`gateway peak RSS (VmHWM): ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MB (target <= 256)`);
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
  const pids = { direct: up.child.pid, minimal: proxy.child.pid, gateway: gw.child.pid };
  // Warm up JITs and connection pools: until the JIT is done with the request path. The gateway has
  // more code to optimise than the minimal proxy; measured on this machine its throughput kept rising
  // for ~10 s under load (V8 was still compiling), so a 3 s warm-up measured the compiler, not the gateway.
  for (const url of Object.values(targets)) await wrk(url, 32, WARMUP);
  if (!SKIP_PLAIN) await plain(targets, pids);
  if (!SKIP_STREAM) await streaming(targets, pids);

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
      const port = await freePort();
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
  rmSync(buildDir, { recursive: true, force: true });
}
