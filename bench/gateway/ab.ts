// A/B of two checkouts of the gateway on this machine: both gateways (bundled like run.ts does) in
// front of one upstream, measured in alternating short rounds so that load from other jobs hits
// both alike. Prints CPU µs per request (the process's user + system time over the requests wrk
// completed) and req/s per round, their medians, and the median of the per-pair CPU ratios B / A.
//
//   node --import tsx bench/gateway/ab.ts <checkout A> <checkout B>    (ROUNDS=10 DURATION=3 WARMUP=8)
//
// A checkout is a directory with this repo's layout (e.g. `git archive <rev> | tar -x -C dir`, plus a
// node_modules symlink); the upstream and the load script come from this checkout.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const DURATION = Number(process.env.DURATION ?? 3);
const WARMUP = Number(process.env.WARMUP ?? 8);
const [dirA, dirB] = process.argv.slice(2).map((d) => resolve(d));
if (!dirA || !dirB) throw new Error('usage: ab.ts <checkout A> <checkout B>');
const here = import.meta.dirname;
const children: ChildProcess[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'ployd-ab-'));

async function bundle(root: string, file: string, name: string): Promise<string> {
  const esbuild = await import('esbuild');
  // Under the checkout's own dist/ so its bare imports resolve from its node_modules.
  const outdir = join(root, 'dist', `bench-ab-${process.pid}`);
  await esbuild.build({ entryPoints: { [name]: join(root, file) }, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', outdir, logLevel: 'silent' });
  return join(outdir, `${name}.js`);
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function start(js: string, cwd: string, env: Record<string, string>): Promise<{ pid: number; port: number }> {
  const child = spawn(process.execPath, [js], { cwd, env: { ...process.env, PLOYD_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((ok, fail) => {
    child.once('exit', (c) => fail(new Error(`${js} exited ${c}`)));
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(\d+)\s*\n/.exec(out);
      if (m) ok({ pid: child.pid!, port: Number(m[1]) });
    });
  });
}

const lua = join(tmp, 'post.lua');
writeFileSync(lua, `wrk.method = "POST"\nwrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}'\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer sk-bench"\n`);

async function wrk(url: string, seconds: number): Promise<{ rps: number; requests: number; errors: number }> {
  const { stdout } = await run('wrk', ['-t1', '-c32', `-d${seconds}s`, '-s', lua, url]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]), requests: Number(/(\d+) requests in/.exec(stdout)?.[1]), errors: non2xx };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

try {
  const root = join(here, '..', '..');
  const up = await start(await bundle(root, 'bench/gateway/upstream.ts', 'upstream'), root, {});
  const upstream = `http://127.0.0.1:${up.port}`;
  const gws = [
    { name: 'A', ...(await start(await bundle(dirA, 'bench/gateway/gateway-server.ts', 'gateway-server'), dirA, { UPSTREAM: upstream })) },
    { name: 'B', ...(await start(await bundle(dirB, 'bench/gateway/gateway-server.ts', 'gateway-server'), dirB, { UPSTREAM: upstream })) },
  ];
  for (const g of gws) await wrk(`http://127.0.0.1:${g.port}/v1/chat/completions`, WARMUP);
  const cpu: Record<string, number[]> = { A: [], B: [] };
  const rps: Record<string, number[]> = { A: [], B: [] };
  let errors = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always follows the other.
    for (const g of r % 2 ? [...gws].reverse() : gws) {
      const before = cpuMs(g.pid);
      const t = await wrk(`http://127.0.0.1:${g.port}/v1/chat/completions`, DURATION);
      cpu[g.name]!.push(((cpuMs(g.pid) - before) * 1000) / t.requests);
      rps[g.name]!.push(t.rps);
      errors += t.errors;
    }
  }
  console.log(`A = ${dirA}\nB = ${dirB}\n${ROUNDS} alternating rounds x ${DURATION}s, wrk -t1 -c32 (non-2xx: ${errors})`);
  for (const n of ['A', 'B']) {
    console.log(`${n}: CPU us/req median ${median(cpu[n]!).toFixed(1)} (${cpu[n]!.map((x) => x.toFixed(1)).join(', ')}); req/s median ${median(rps[n]!).toFixed(0)}`);
  }
  const ratios = cpu.A!.map((a, i) => cpu.B![i]! / a);
  console.log(`CPU per request B / A: median of pairs ${median(ratios).toFixed(3)} (${ratios.map((x) => x.toFixed(3)).join(', ')})`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
  for (const d of [dirA, dirB, join(here, '..', '..')]) rmSync(join(d, 'dist', `bench-ab-${process.pid}`), { recursive: true, force: true });
}
