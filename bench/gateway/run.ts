// Gateway benchmark: same-run baselines (direct to the upstream, a minimal node:http + undici proxy)
// against the gateway with auth, rate limits, metrics and weighted routing on. Prints medians of
// ROUNDS runs, the ratios the issue's targets are stated in, and the CPU time each proxy process
// spent per request (from /proc: steadier than wall figures on a shared machine).
//
//   node --import tsx bench/gateway/run.ts            (ROUNDS=3 DURATION=3 WARMUP=10 STREAMS=1000 by default)
//
// Non-streaming: wrk against upstream.ts, minimal-proxy.ts and gateway-server.ts.
// Streaming: its own upstream (c/sse-upstream.c) with a minimal proxy and a gateway in front of it,
// loaded by c/sse-load.c; both tools are C (compiled with `cc` at start) so that they take as little
// as possible of the CPU the proxy under test needs, and their CPU time is printed per run. Two
// arrival patterns (PATTERNS=burst,steady): burst = STREAMS streams started at once (RAMP_MS
// spreads the starts); steady = a closed loop keeping STREAMS streams open (starts spread over
// STEADY_RAMP_MS=1280, one stream's lifetime; measured once all are open; DURATION_MS per run).
// WARMUP seconds of the steady pattern per target first. LOADGEN=undici uses the former Node load
// generator (stream-load-undici.ts, bursts only) for comparison.
//
// The servers run from esbuild bundles built the way bin/ployd.js builds `ployd` (no keepNames),
// because that is how users run `ployd gateway`; RUNNER=tsx runs them under tsx instead.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
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
/** Streaming load generator: c (c/sse-load.c, default) or undici (the former stream-load-undici.ts). */
const LOADGEN = process.env.LOADGEN === 'undici' ? 'undici' : 'c';
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
  return startBin(process.execPath, env, [...(await entryOf(file)), ...args]);
}

/** Starts a server process that prints its port on stdout. */
async function startBin(bin: string, env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const file = bin;
  const child = spawn(bin, args, {
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
  measured?: number;
  /** Streams started (steady: every stream of the closed loop, measured or not). */
  started?: number;
  reasons?: Record<string, number>;
  /** The load generator's own CPU time for the run. */
  cpuMs: number;
}

/** Compiles the C streaming tools (c/*.c) into the build directory. */
async function compileC(name: string): Promise<string> {
  const out = join(buildDir, name);
  mkdirSync(buildDir, { recursive: true });
  await run(process.env.CC ?? 'cc', ['-O2', '-o', out, join(here, 'c', `${name}.c`)]);
  return out;
}

interface StreamTools {
  load: string[];
  targets: Record<Target, string>;
  pids: Record<Target, number | undefined>;
  upstreamPid: number | undefined;
}

/**
 * The streaming bench's own upstream (c/sse-upstream.c) and a minimal proxy and gateway in front of
 * it: the load generator and upstream are C so that they take as little of the two cores as
 * possible from the proxy under test (measured and printed per run).
 */
async function streamTools(): Promise<StreamTools> {
  const upBin = await compileC('sse-upstream');
  const up = await startBin(upBin, {});
  const upstream = `http://127.0.0.1:${up.port}`;
  const proxy = await start(join(here, 'minimal-proxy.ts'), { UPSTREAM: upstream });
  const gw = await start(join(here, 'gateway-server.ts'), { UPSTREAM: upstream });
  const load = LOADGEN === 'undici' ? [process.execPath, ...(await entryOf(join(here, 'stream-load-undici.ts')))] : [await compileC('sse-load')];
  return {
    load,
    targets: {
      direct: `${upstream}/v1/chat/completions`,
      minimal: `http://127.0.0.1:${proxy.port}/v1/chat/completions`,
      gateway: `http://127.0.0.1:${gw.port}/v1/chat/completions`,
    },
    pids: { direct: up.child.pid, minimal: proxy.child.pid, gateway: gw.child.pid },
    upstreamPid: up.child.pid,
  };
}

async function streamRun(tools: StreamTools, name: Target, env: Record<string, string>): Promise<StreamRound & { proxyCpu: number; upstreamCpu: number }> {
  const before = cpuMs(tools.pids[name]);
  const upBefore = cpuMs(tools.upstreamPid);
  const { stdout } = await run(tools.load[0]!, tools.load.slice(1), { cwd: root, env: { ...process.env, TARGET: tools.targets[name], STREAMS: String(STREAMS), ...env }, maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as StreamRound;
  return { ...r, proxyCpu: cpuMs(tools.pids[name]) - before, upstreamCpu: cpuMs(tools.upstreamPid) - upBefore };
}

type Pattern = 'burst' | 'steady';

/** The arrival patterns measured: all STREAMS at once, and STREAMS kept open (closed loop). */
function patternEnv(p: Pattern): Record<string, string> {
  if (p === 'burst') return { MODE: 'burst', RAMP_MS: process.env.RAMP_MS ?? '0' };
  return { MODE: 'steady', RAMP_MS: process.env.STEADY_RAMP_MS ?? '1280', ...(process.env.DURATION_MS ? { DURATION_MS: process.env.DURATION_MS } : {}) };
}

async function streaming(tools: StreamTools): Promise<void> {
  const names: Target[] = ['direct', 'minimal', 'gateway'];
  const patterns = (process.env.PATTERNS ?? 'burst,steady').split(',') as Pattern[];
  if (LOADGEN === 'undici' && patterns.includes('steady')) throw new Error('LOADGEN=undici does bursts only (PATTERNS=burst)');
  // Warm-up: JIT and upstream connection pools, under the steady pattern (whose measurements are
  // those of a warm process), WARMUP seconds per target.
  if (LOADGEN !== 'undici') for (const name of names) await streamRun(tools, name, { ...patternEnv('steady'), DURATION_MS: String(WARMUP * 1000) });
  for (const pattern of patterns) {
    const rounds: Record<string, (StreamRound & { proxyCpu: number; upstreamCpu: number })[]> = { direct: [], minimal: [], gateway: [] };
    const load0 = loadavg()[0]!;
    for (let r = 0; r < ROUNDS; r++) for (const name of names) rounds[name]!.push(await streamRun(tools, name, patternEnv(pattern)));
    const m = (name: Target, k: 'ttftP50' | 'ttftP99' | 'gapP50' | 'gapP99' | 'cpuMs' | 'proxyCpu' | 'upstreamCpu' | 'measured'): number => median(rounds[name]!.map((x) => x[k] ?? NaN));
    const env = patternEnv(pattern);
    const shape =
      pattern === 'burst'
        ? `${STREAMS} streams started ${env.RAMP_MS === '0' ? 'all at once (burst)' : `over ${env.RAMP_MS} ms`}, one run each`
        : `${STREAMS} streams kept open (closed loop, starts spread over ${env.RAMP_MS} ms, each slot restarts at once; measured after all are open)`;
    console.log(`\nStreaming, ${pattern}: ${shape}; 64 chunks @ 20 ms; ${ROUNDS} rounds; load generator ${LOADGEN}; load average ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`);
    console.log('target    TTFT p50 / p99 ms     gap p50 / p99 ms    streams  failures  CPU ms per run: proxy / upstream / load generator');
    for (const name of names) {
      const fails = rounds[name]!.reduce((a, x) => a + x.failures, 0);
      const why = rounds[name]!.flatMap((x) => Object.entries(x.reasons ?? {}).map(([k, v]) => `${k} ${v}`)).join(', ');
      console.log(
        `${name.padEnd(9)} ${f(m(name, 'ttftP50'), 2)} / ${f(m(name, 'ttftP99'), 2)}`.padEnd(32) +
          `${f(m(name, 'gapP50'), 2)} / ${f(m(name, 'gapP99'), 2)}`.padEnd(20) +
          `${f(m(name, 'measured'), 0)}`.padEnd(9) +
          `${fails}${why ? ` (${why})` : ''}`.padEnd(10) +
          `${name === 'direct' ? '-' : f(m(name, 'proxyCpu'), 0)} / ${f(m(name, 'upstreamCpu'), 0)} / ${f(m(name, 'cpuMs'), 0)}`,
      );
      console.log(`          rounds: TTFT p99 ${rounds[name]!.map((x) => x.ttftP99.toFixed(1)).join(', ')}; gap p99 ${rounds[name]!.map((x) => x.gapP99.toFixed(1)).join(', ')}`);
    }
    for (const base of ['direct', 'minimal'] as const) {
      console.log(
        `gateway over ${base}: added TTFT p50 ${f(m('gateway', 'ttftP50') - m(base, 'ttftP50'), 2)}, p99 ${f(m('gateway', 'ttftP99') - m(base, 'ttftP99'), 2)} ms (target <= 2); added gap p50 ${f(m('gateway', 'gapP50') - m(base, 'gapP50'), 2)}, p99 ${f(m('gateway', 'gapP99') - m(base, 'gapP99'), 2)} ms (target <= 1)`,
      );
    }
    console.log(`minimal over direct: added TTFT p50 ${f(m('minimal', 'ttftP50') - m('direct', 'ttftP50'), 2)}, p99 ${f(m('minimal', 'ttftP99') - m('direct', 'ttftP99'), 2)} ms; added gap p50 ${f(m('minimal', 'gapP50') - m('direct', 'gapP50'), 2)}, p99 ${f(m('minimal', 'gapP99') - m('direct', 'gapP99'), 2)} ms`);
    const perStream = (name: Target): number => median(rounds[name]!.map((x) => (x.proxyCpu * 1000) / (x.started ?? STREAMS)));
    console.log(`proxy CPU per stream served (64 chunks): gateway ${f(perStream('gateway'), 0)} µs, minimal ${f(perStream('minimal'), 0)} µs, ratio ${f(perStream('gateway') / perStream('minimal'), 2)}`);
  }
  const rss = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${tools.pids.gateway}/status`, 'utf8'))?.[1];
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
  if (!SKIP_PLAIN) for (const url of Object.values(targets)) await wrk(url, 32, WARMUP);
  if (!SKIP_PLAIN) await plain(targets, pids);
  if (!SKIP_STREAM) await streaming(await streamTools());

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
