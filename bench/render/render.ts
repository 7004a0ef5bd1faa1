// Generates a config repo of N applications × 10 resources, each with a kustomize base and three
// overlays, then times `validate` and `render` of every environment. The target (≤ 5 s,
// ≤ 512 MB peak RSS) is for a real `ployd validate DIR`, so the bench measures that end to end:
//
//   node --import tsx bench/render/render.ts [--apps 1000] [--runs 3]
//       in-process: validateRepo() (the one-thread pipeline of `ployd validate`) `runs` times;
//       run 1 is cold, later runs reuse what the process kept.
//   node --import tsx bench/render/render.ts --cli [--apps 1000] [--runs 3] [--baseline-bin PATH]
//       spawns `node bin/ployd.js validate DIR` `runs` times (a cold process each time, as a user
//       runs it) under /usr/bin/time -v for wall, CPU and peak RSS (all threads). With
//       --baseline-bin, another checkout's bin/ployd.js runs interleaved on the same repo and the
//       summary gives the ratios. With --one-thread, this checkout also runs with PLOYD_THREADS=1
//       (no worker thread), interleaved; run the bench as `PLOYD_THREADS=2 node …` to compare a
//       forced worker thread with one thread (by default a worker starts only with two idle cores).
//
// Prints JSON lines and a summary with medians, and the load average (the machine is shared).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateRepo } from '../../src/cli/repo-pipeline.ts';
import { ENVS, generateRepo } from './generate.ts';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    cli: { type: 'boolean', default: false },
    'baseline-bin': { type: 'string' },
    'one-thread': { type: 'boolean', default: false },
  },
});
const APPS = Number(values.apps);
const RUNS = Number(values.runs);
const BIN = resolve(import.meta.dirname, '../../bin/ployd.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

interface CliRun {
  wallMs: number;
  cpuMs: number;
  peakRssMB: number;
  exit: number;
}

/** One `ployd validate DIR` process; /usr/bin/time reports its CPU time and peak RSS. */
function cliRun(bin: string, dir: string, env: NodeJS.ProcessEnv = process.env): CliRun {
  const timeBin = '/usr/bin/time';
  const hasTime = existsSync(timeBin);
  const start = performance.now();
  const r = hasTime
    ? spawnSync(timeBin, ['-v', process.execPath, bin, 'validate', dir], { encoding: 'utf8', maxBuffer: 1 << 28, env })
    : spawnSync(process.execPath, [bin, 'validate', dir], { encoding: 'utf8', maxBuffer: 1 << 28, env });
  const wallMs = performance.now() - start;
  const field = (name: string): number => Number(new RegExp(`${name}: ([0-9.]+)`).exec(r.stderr)?.[1] ?? NaN);
  const exit = r.status ?? -1;
  if (exit !== 0) throw new Error(`${bin} validate exited ${exit}: ${r.stderr.slice(-2000)}`);
  return {
    wallMs,
    cpuMs: (field('User time \\(seconds\\)') + field('System time \\(seconds\\)')) * 1000,
    peakRssMB: field('Maximum resident set size \\(kbytes\\)') / 1024,
    exit,
  };
}

function summarize(label: string, runs: CliRun[]): Record<string, number | string> {
  return {
    label,
    medianWallMs: Math.round(median(runs.map((r) => r.wallMs))),
    medianCpuMs: Math.round(median(runs.map((r) => r.cpuMs))),
    maxPeakRssMB: Math.round(Math.max(...runs.map((r) => r.peakRssMB))),
  };
}

const root = mkdtempSync(join(tmpdir(), 'ployd-bench-render-'));
try {
  const t0 = performance.now();
  generateRepo(root, APPS);
  console.log(JSON.stringify({ step: 'generate', apps: APPS, resourcesPerApp: 10, overlays: ENVS.length, ms: Math.round(performance.now() - t0) }));
  if (values.cli) {
    // Build the dist bundle (and warm the page cache) outside the measured runs.
    cliRun(BIN, root);
    const baselineBin = values['baseline-bin'];
    if (baselineBin) cliRun(resolve(baselineBin), root);
    const ours: CliRun[] = [];
    const base: CliRun[] = [];
    const single: CliRun[] = [];
    const oneThreadEnv = { ...process.env, PLOYD_THREADS: '1' };
    for (let run = 0; run < RUNS; run++) {
      const r = cliRun(BIN, root);
      ours.push(r);
      console.log(JSON.stringify({ step: 'ployd validate DIR', run, wallMs: Math.round(r.wallMs), cpuMs: Math.round(r.cpuMs), peakRssMB: Math.round(r.peakRssMB), loadavg: load() }));
      if (baselineBin) {
        const b = cliRun(resolve(baselineBin), root);
        base.push(b);
        console.log(JSON.stringify({ step: 'baseline validate DIR', run, wallMs: Math.round(b.wallMs), cpuMs: Math.round(b.cpuMs), peakRssMB: Math.round(b.peakRssMB), loadavg: load() }));
      }
      if (values['one-thread']) {
        const o = cliRun(BIN, root, oneThreadEnv);
        single.push(o);
        console.log(JSON.stringify({ step: 'PLOYD_THREADS=1 validate DIR', run, wallMs: Math.round(o.wallMs), cpuMs: Math.round(o.cpuMs), peakRssMB: Math.round(o.peakRssMB), loadavg: load() }));
      }
    }
    const s = summarize('ployd validate DIR', ours);
    const out: Record<string, unknown> = { summary: true, apps: APPS, environments: ENVS.length, ...s, targetMs: 5000, targetRssMB: 512 };
    out.wallRatioToTarget = Number(((s.medianWallMs as number) / 5000).toFixed(3));
    out.rssRatioToTarget = Number(((s.maxPeakRssMB as number) / 512).toFixed(3));
    if (baselineBin) {
      const b = summarize('baseline', base);
      out.baseline = b;
      out.cpuRatioToBaseline = Number(((s.medianCpuMs as number) / (b.medianCpuMs as number)).toFixed(3));
      out.wallRatioToBaseline = Number(((s.medianWallMs as number) / (b.medianWallMs as number)).toFixed(3));
      out.rssRatioToBaseline = Number(((s.maxPeakRssMB as number) / (b.maxPeakRssMB as number)).toFixed(3));
    }
    if (values['one-thread']) {
      const o = summarize('PLOYD_THREADS=1', single);
      out.oneThread = o;
      out.cpuRatioToOneThread = Number(((s.medianCpuMs as number) / (o.medianCpuMs as number)).toFixed(3));
      out.wallRatioToOneThread = Number(((s.medianWallMs as number) / (o.medianWallMs as number)).toFixed(3));
      out.rssRatioToOneThread = Number(((s.maxPeakRssMB as number) / (o.maxPeakRssMB as number)).toFixed(3));
    }
    out.loadavg = load();
    console.log(JSON.stringify(out));
  } else {
    const times: number[] = [];
    const cpu: number[] = [];
    let peakRss = process.memoryUsage().rss;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const c0 = process.cpuUsage();
      // `ployd validate` with no --env validates and renders every environment.
      const result = validateRepo(root);
      let resources = 0;
      for (const v of result.views) resources += v.resources.length;
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      const ms = performance.now() - start;
      const c = process.cpuUsage(c0);
      times.push(ms);
      cpu.push((c.user + c.system) / 1000);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      console.log(JSON.stringify({ step: 'validate+render all environments', run, resources, errors, ms: Math.round(ms), cpuMs: Math.round((c.user + c.system) / 1000), loadavg: load() }));
    }
    clearInterval(timer);
    const med = median(times);
    console.log(
      JSON.stringify({
        summary: true,
        apps: APPS,
        environments: ENVS.length,
        coldMs: Math.round(times[0] ?? 0),
        medianMs: Math.round(med),
        medianCpuMs: Math.round(median(cpu)),
        targetMs: 5000,
        ratioToTarget: Number((med / 5000).toFixed(3)),
        peakRssMB: Math.round(peakRss / 2 ** 20),
        targetRssMB: 512,
        loadavg: load(),
      }),
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
