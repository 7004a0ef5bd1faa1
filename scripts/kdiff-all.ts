// Runs every fixture through PloyD and kubectl kustomize and reports the ones that differ.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeRepoFs, renderKustomization, toYamlStream } from '../src/manifests/kustomize/index.ts';

const root = process.argv[2] ?? 'test/fixtures/kustomize';
const only = process.argv[3];
let bad = 0;
for (const name of readdirSync(root).sort()) {
  if (only && name !== only) continue;
  const caseDir = join(root, name);
  const ef = join(caseDir, 'entries.txt');
  const entries = existsSync(ef) ? readFileSync(ef, 'utf8').split('\n').filter((l) => l.trim()) : [''];
  for (const entry of entries) {
    const res = renderKustomization(nodeRepoFs(caseDir), entry);
    const ours = res.diagnostics.length ? `ERROR ${JSON.stringify(res.diagnostics)}\n` : toYamlStream(res.resources);
    let theirs: string;
    try {
      theirs = execFileSync('kubectl', ['kustomize', join(caseDir, entry)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      theirs = `ERROR ${String((err as { stderr?: string }).stderr ?? err)}`;
    }
    if (ours === theirs || (ours.startsWith('ERROR') && theirs.startsWith('ERROR'))) {
      if (ours.startsWith('ERROR')) console.log(`both-error ${name} ${entry}\n  ours: ${ours.trim()}\n  kube: ${theirs.trim()}`);
      continue;
    }
    bad++;
    console.log(`DIFF ${name} ${entry}`);
    writeFileSync('/tmp/ours.yaml', ours);
    writeFileSync('/tmp/theirs.yaml', theirs);
    try {
      execFileSync('diff', ['-u', '/tmp/theirs.yaml', '/tmp/ours.yaml'], { stdio: 'inherit' });
    } catch {
      /* differs */
    }
  }
}
console.log(bad === 0 ? 'ALL SAME' : `${bad} differ`);
