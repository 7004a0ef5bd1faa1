/**
 * How long one simulator process takes from spawn to `/health` 200, and the CPU it burns doing
 * so — the per-replica cost behind the "20 replicas Ready in ≤ 5 s" target of the local runtime.
 *
 *   npx tsx bench/runtime/simulator-startup.ts [--runs 5] [--parallel 1]
 *
 * Baseline in the same run: a bare `node -e` HTTP server, i.e. Node's own start-up floor.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LAUNCHERS } from '../../src/runtime/frameworks/index.ts';
import { ModelDeployment } from '../../src/resources/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function once(command: string, argv: readonly string[], env: Record<string, string>): Promise<{ ms: number; cpu: number }> {
  const t0 = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env, PLOYD_LOG_LEVEL: 'warn' } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
  for (;;) {
    const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const cpu = cpuSeconds(child.pid ?? 0);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { ms, cpu };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const runs = opt('runs', 5);
const md = ModelDeployment.parse({ apiVersion: 'ployd.ai/v1', kind: 'ModelDeployment', metadata: { name: 'm' }, spec: { model: { framework: 'simulator' } } });
const sim = LAUNCHERS.simulator.launch(md, { port: 0, gpus: [], replicaIndex: 0, host: '127.0.0.1' });
const bare = `require('http').createServer((q,s)=>s.end()).listen(0,'127.0.0.1',function(){console.log('on http://127.0.0.1:'+this.address().port)});process.on('SIGTERM',()=>process.exit(0))`;

const b: { ms: number; cpu: number }[] = [];
const s: { ms: number; cpu: number }[] = [];
for (let i = 0; i < runs; i++) {
  b.push(await once(process.execPath, ['-e', bare], {}));
  s.push(await once(sim.command, sim.args, { ...sim.env }));
}
const line = (label: string, xs: { ms: number; cpu: number }[]): string =>
  `${label.padEnd(34)} spawn→healthy median ${Math.round(median(xs.map((x) => x.ms)))} ms, CPU median ${median(xs.map((x) => x.cpu)).toFixed(2)} s`;
console.log(`simulator start-up, median of ${runs} runs`);
console.log(line('baseline (bare node http server)', b));
console.log(line('ployd simulator', s));
console.log(`ratio simulator/baseline: ${(median(s.map((x) => x.ms)) / median(b.map((x) => x.ms))).toFixed(1)}× time, ${(median(s.map((x) => x.cpu)) / Math.max(0.01, median(b.map((x) => x.cpu)))).toFixed(1)}× CPU`);
