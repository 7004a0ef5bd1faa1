import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeRepoFs, renderKustomization } from './index.ts';

const BAD = resolve(import.meta.dirname, '../../../test/fixtures/kustomize-bad');

interface Expected {
  code: string;
  file: string;
  line: number;
  dir?: string;
}

describe('kustomize bad inputs produce exactly one located diagnostic', () => {
  for (const name of readdirSync(BAD).sort()) {
    it(name, () => {
      const caseDir = join(BAD, name);
      const expected = JSON.parse(readFileSync(join(caseDir, 'expected.json'), 'utf8')) as Expected;
      const result = renderKustomization(nodeRepoFs(caseDir), expected.dir ?? '');
      expect(result.resources).toEqual([]);
      expect(result.diagnostics).toHaveLength(1);
      const d = result.diagnostics[0];
      expect({ code: d?.code, file: d?.file, line: d?.line }).toEqual({
        code: expected.code,
        file: expected.file,
        line: expected.line,
      });
      expect(d?.severity).toBe('error');
      expect(d?.message).not.toMatch(/\n\s+at /);
    });
  }
});
