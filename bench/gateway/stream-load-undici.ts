// The former streaming load generator (LOADGEN=undici in run.ts), kept for comparison: undici
// `request` + a for-await over the body per stream. It measures body reads, not SSE events (events
// coalesced in one read count as one gap), and costs several times the CPU of c/sse-load.c, which
// the bench uses by default. STREAMS concurrent SSE requests, starts spread over RAMP_MS; prints
// JSON percentiles (ms) and its own CPU time.
import { Agent, request } from 'undici';

const url = process.env.TARGET!;
const streams = Number(process.env.STREAMS ?? 1000);
// Spread the starts over RAMP_MS so TTFT measures per-request cost, not a queue of simultaneous connects.
const rampMs = Number(process.env.RAMP_MS ?? 0);
const agent = new Agent({ connections: streams + 10, keepAliveTimeout: 30_000 });
const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 64 });
const ttft: number[] = [];
const gaps: number[] = [];
let failures = 0;

function pct(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function one(i: number): Promise<void> {
  if (rampMs > 0) await new Promise((r) => setTimeout(r, (i / streams) * rampMs));
  const t0 = performance.now();
  try {
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body });
    let last = 0;
    for await (const _c of res.body) {
      const now = performance.now();
      if (last === 0) ttft.push(now - t0);
      else gaps.push(now - last);
      last = now;
    }
    if (res.statusCode !== 200) failures++;
  } catch {
    failures++;
  }
}

const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: streams }, (_, i) => one(i)));
await agent.close();
process.stdout.write(
  `${JSON.stringify({ streams, failures, ttftP50: pct(ttft, 0.5), ttftP99: pct(ttft, 0.99), gapP50: pct(gaps, 0.5), gapP99: pct(gaps, 0.99), gaps: gaps.length, cpuMs: ((c) => (c.user + c.system) / 1000)(process.cpuUsage(cpu0)) })}\n`,
);
