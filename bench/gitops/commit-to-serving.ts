// Commit → new route serving: `ployd up` on the demo repo (real local runtime, simulator replicas,
// real gateway); each sample commits a new GatewayRoute (a new path to the running chat-v1) and
// times until a request on that path answers 200 through the gateway.
// Baseline, same run: one request on an existing route (the gateway round trip alone).
//   npx tsx bench/gitops/commit-to-serving.ts [samples=20]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../../src/cli/commands/up.ts';

const samples = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'ployd-bench-up-'));
const p = await startPlatform({ dataDir: dir, port: 0, gatewayPort: 0, host: '127.0.0.1', gpus: '0' });
const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', '-c', 'commit.gpgsign=false', ...args], { cwd: p.repo });
const ask = (path: string): Promise<number> =>
  fetch(`${p.gatewayUrl}${path}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  }).then(async (r) => (await r.arrayBuffer(), r.status));
const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

try {
  const ready = Date.now() + 60_000;
  while ((await ask('/v1').catch(() => 0)) !== 200) {
    if (Date.now() > ready) throw new Error('demo route never answered');
    await new Promise((r) => setTimeout(r, 100));
  }
  const lat: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    await ask('/v1');
    base.push(performance.now() - t);
    writeFileSync(
      join(p.repo, 'environments/dev', `route-${i}.yaml`),
      `apiVersion: ployd.ai/v1\nkind: GatewayRoute\nmetadata:\n  name: bench-${i}\nspec:\n  path: /b${i}\n  models:\n  - name: chat-v1\n    weight: 100\n  authentication:\n    required: true\n`,
    );
    const kust = join(p.repo, 'environments/dev/kustomization.yaml');
    execFileSync('sh', ['-c', `sed -i 's|^- environment.yaml$|- environment.yaml\\n- route-${i}.yaml|' ${kust}`]);
    t = performance.now();
    git('add', '-A');
    git('commit', '-qm', `route ${i}`);
    while ((await ask(`/b${i}`).catch(() => 0)) !== 200) await new Promise((r) => setTimeout(r, 5));
    lat.push(performance.now() - t);
  }
  console.log(`commit → new route serving, ${samples} samples (git add+commit included)`);
  console.log(`  p50 ${pct(lat, 0.5).toFixed(0)} ms   p99 ${pct(lat, 0.99).toFixed(0)} ms   max ${Math.max(...lat).toFixed(0)} ms`);
  console.log(`  baseline request on an existing route: p50 ${pct(base, 0.5).toFixed(1)} ms`);
  console.log(`  target p50 ≤ 500 ms, p99 ≤ 1000 ms → ${pct(lat, 0.5) <= 500 && pct(lat, 0.99) <= 1000 ? 'met' : 'NOT met'}`);
} finally {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
}
