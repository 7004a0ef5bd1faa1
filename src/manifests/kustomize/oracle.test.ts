import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { nodeRepoFs, renderKustomization, toYamlStream } from './index.ts';

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/kustomize');

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const kubectl = hasKubectl();

function entriesOf(caseDir: string): string[] {
  const f = join(caseDir, 'entries.txt');
  if (!existsSync(f)) return [''];
  return readFileSync(f, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

const parse = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown);

describe('kustomize oracle: output equals kubectl kustomize', () => {
  const cases = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of cases) {
    const caseDir = join(FIXTURES, name);
    for (const entry of entriesOf(caseDir)) {
      const title = entry ? `${name}: ${entry}` : name;
      if (!kubectl) {
        it.skip(`${title} (skipped: kubectl is not on PATH)`, () => {});
        continue;
      }
      it(title, () => {
        const expected = execFileSync('kubectl', ['kustomize', join(caseDir, entry)], { encoding: 'utf8' });
        const result = renderKustomization(nodeRepoFs(caseDir), entry);
        expect(result.diagnostics).toEqual([]);
        const ours = toYamlStream(result.resources);
        expect(parse(ours)).toEqual(parse(expected));
        expect(ours).toBe(expected);
      });
    }
  }
});
