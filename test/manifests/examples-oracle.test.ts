import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeRepoFs, renderKustomization, scanRepo, toYamlStream } from '../../src/manifests/index.ts';

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const root = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Every kustomization of the examples renders exactly as `kubectl kustomize` does. */
describe.skipIf(!HAS_KUBECTL)('examples render like kubectl kustomize (skipped: kubectl not on PATH)', () => {
  for (const example of ['quickstart', 'llm-gitops-config', 'ployd-platform-config']) {
    const fs = nodeRepoFs(root + example);
    for (const dir of scanRepo(fs).kustomizeDirs) {
      it(`${example}/${dir}`, () => {
        const ours = renderKustomization(fs, dir);
        expect(ours.diagnostics).toEqual([]);
        const theirs = execFileSync('kubectl', ['kustomize', `${root}${example}/${dir}`], { encoding: 'utf8' });
        expect(toYamlStream(ours.resources)).toBe(theirs);
      });
    }
  }
});
