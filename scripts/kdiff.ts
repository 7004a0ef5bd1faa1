// Differential check: render a folder with PloyD and with kubectl kustomize, print a diff.
import { execFileSync } from 'node:child_process';
import { nodeRepoFs, renderKustomization, toYamlStream } from '../src/manifests/kustomize/index.ts';

const [root, dir] = process.argv.slice(2) as [string, string];
const res = renderKustomization(nodeRepoFs(root), dir ?? '');
let ours = '';
if (res.diagnostics.length) ours = 'ERROR ' + JSON.stringify(res.diagnostics) + '\n';
else ours = toYamlStream(res.resources);
let theirs = '';
try {
  theirs = execFileSync('kubectl', ['kustomize', `${root}/${dir ?? ''}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (err) {
  theirs = 'ERROR ' + String((err as { stderr?: string }).stderr ?? err);
}
if (ours === theirs) console.log('SAME');
else {
  const fs = await import('node:fs');
  fs.writeFileSync('/tmp/ours.yaml', ours);
  fs.writeFileSync('/tmp/theirs.yaml', theirs);
  try {
    execFileSync('diff', ['-u', '/tmp/theirs.yaml', '/tmp/ours.yaml'], { stdio: 'inherit' });
  } catch {
    /* diff exits 1 */
  }
}
