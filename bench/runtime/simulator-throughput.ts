/**
 * Tokens per second one simulator replica streams across N concurrent requests.
 *
 *   npx tsx bench/runtime/simulator-throughput.ts [--streams 64] [--tokens 500] [--runs 3]
 *
 * The simulator runs in its own process exactly as the local runtime launches it
 * (`node bin/ployd.js simulator …`). The baseline, measured in the same run, is a bare node:http
 * server in its own process writing the same SSE bytes with no simulation at all: the ratio shows
 * what the simulator's engine (queueing, metrics, timer, JSON framing) costs against the transport.
 * Target (issue #5): ≥ 5,000 tokens/s with inter-token latency 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

// --- baseline server (runs in a child process) -----------------------------------------------
if (args.includes('--baseline-server')) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const n = (JSON.parse(body) as { max_tokens: number }).max_tokens;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const head = 'data: {"id":"chatcmpl-0","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,';
      let sent = 0;
      const pump = (): void => {
        let out = '';
        for (let i = 0; i < 16 && sent < n; i++, sent++) out += `${head}"delta":{"content":" token"},"logprobs":null,"finish_reason":null}]}\n\n`;
        res.write(out);
        if (sent < n) setImmediate(pump);
        else res.end(`${head}"delta":{},"logprobs":null,"finish_reason":"length"}]}\n\ndata: [DONE]\n\n`);
      };
      pump();
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

function startChild(command: string, argv: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PLOYD_LOG_LEVEL: 'warn' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** N concurrent streams; returns tokens/s measured by the client (SSE content events received). */
async function load(url: string, streams: number, tokens: number): Promise<{ tokensPerSecond: number; tokens: number; seconds: number }> {
  const dispatcher = new Agent({ connections: streams * 2, pipelining: 0 });
  const body = JSON.stringify({ model: 'm', stream: true, max_tokens: tokens, ignore_eos: true, messages: [{ role: 'user', content: 'benchmark' }] });
  const t0 = performance.now();
  const counts = await Promise.all(
    Array.from({ length: streams }, async () => {
      const res = await request(`${url}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher });
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${await res.body.text()}`);
      let n = 0;
      let carry = '';
      for await (const chunk of res.body) {
        const text = carry + (chunk as Buffer).toString('latin1');
        let i = text.indexOf('{"content":');
        while (i >= 0) {
          n++;
          i = text.indexOf('{"content":', i + 11);
        }
        carry = text.slice(-10);
      }
      return n;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await dispatcher.close();
  const total = counts.reduce((a, b) => a + b, 0);
  return { tokensPerSecond: total / seconds, tokens: total, seconds };
}

interface Target {
  readonly label: string;
  readonly url: string;
  readonly pid: number;
  readonly tokens: number;
  readonly rates: number[];
}

async function measure(t: Target, streams: number, run: number): Promise<void> {
  const cpu0 = cpuSeconds(t.pid);
  const res = await load(t.url, streams, t.tokens);
  const cpu = cpuSeconds(t.pid) - cpu0;
  // The role chunk writes {"role":…,"content":""}, which the count does not match.
  if (res.tokens !== streams * t.tokens) throw new Error(`${t.label}: expected ${streams * t.tokens} tokens, got ${res.tokens}`);
  const rate = res.tokens / res.seconds;
  t.rates.push(rate);
  console.log(`  run ${run} ${t.label.padEnd(30)} ${res.tokens} tokens in ${res.seconds.toFixed(2)} s = ${String(Math.round(rate)).padStart(6)} tok/s; server CPU ${cpu.toFixed(2)} s (${((cpu / res.tokens) * 1e6).toFixed(1)} µs/token)`);
}

async function main(): Promise<void> {
  const streams = opt('streams', 64);
  const tokens = opt('tokens', 2000);
  const runs = opt('runs', 3);
  const bin = fileURLToPath(new URL('../../bin/ployd.js', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  console.log(`simulator throughput: ${streams} concurrent streams, ${tokens} tokens each (ITL 5 ms: 200), median of ${runs} interleaved runs`);

  const children: ChildProcess[] = [];
  try {
    const base = await startChild(process.execPath, ['--import', 'tsx', self, '--baseline-server']);
    children.push(base.child);
    const sim = await startChild(process.execPath, [bin, 'simulator', '--model', 'm', '--port', '0', '--max-num-seqs', String(streams), '--inter-token-latency', '0']);
    children.push(sim.child);
    const simItl = await startChild(process.execPath, [bin, 'simulator', '--model', 'm', '--port', '0', '--max-num-seqs', String(streams), '--inter-token-latency', '5']);
    children.push(simItl.child);
    const targets: Target[] = [
      { label: 'baseline (bare node:http SSE)', url: base.url, pid: base.child.pid ?? 0, tokens, rates: [] },
      { label: 'simulator ITL 0', url: sim.url, pid: sim.child.pid ?? 0, tokens, rates: [] },
      { label: 'simulator ITL 5 ms', url: simItl.url, pid: simItl.child.pid ?? 0, tokens: 200, rates: [] },
    ];
    for (const t of targets) await load(t.url, 8, 100); // warm-up: JIT, connections
    // Interleaved so a noisy neighbour on a shared machine hurts every target alike.
    for (let r = 1; r <= runs; r++) for (const t of targets) await measure(t, streams, r);
    const [baseline, itl0, itl5] = targets.map((t) => median(t.rates)) as [number, number, number];
    const ideal5 = streams * (1000 / 5);
    console.log('');
    console.log(`baseline            ${Math.round(baseline)} tok/s`);
    console.log(`simulator ITL 0     ${Math.round(itl0)} tok/s  = ${(itl0 / baseline).toFixed(2)}× baseline, ${(itl0 / 5000).toFixed(1)}× the 5,000 tok/s target  ${itl0 >= 5000 ? 'PASS' : 'FAIL'}`);
    console.log(`simulator ITL 5 ms  ${Math.round(itl5)} tok/s  = ${((itl5 / ideal5) * 100).toFixed(0)}% of the ideal ${ideal5} tok/s (${streams} streams × 200 tok/s)`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

if (!args.includes('--baseline-server')) await main();
