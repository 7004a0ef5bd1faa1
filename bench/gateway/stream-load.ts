// Streaming load: STREAMS concurrent SSE requests; per stream, time to first chunk and the gaps
// between chunks. Prints JSON percentiles (ms).
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

await Promise.all(Array.from({ length: streams }, (_, i) => one(i)));
await agent.close();
process.stdout.write(
  `${JSON.stringify({ streams, failures, ttftP50: pct(ttft, 0.5), ttftP99: pct(ttft, 0.99), gapP50: pct(gaps, 0.5), gapP99: pct(gaps, 0.99), gaps: gaps.length })}\n`,
);
