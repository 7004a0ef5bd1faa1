import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanRepo } from '../loader.ts';
import { nodeRepoFs } from './repo-fs.ts';

const root = mkdtempSync(join(tmpdir(), 'ployd-fs-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('nodeRepoFs state handed to another snapshot', () => {
  mkdirSync(join(root, 'base'), { recursive: true });
  writeFileSync(join(root, 'base/a.yaml'), 'a: 1\n');
  writeFileSync(join(root, 'base/b.yaml'), 'b: 2\n');
  symlinkSync('/etc', join(root, 'out'));

  it('answers as the original: texts, kinds, listings, missing paths, escapes', () => {
    const first = nodeRepoFs(root, { keepTexts: true });
    scanRepo(first);
    expect(first.readFile('base/a.yaml')).toBe('a: 1\n');
    const state = structuredClone(first.exportState?.());
    expect(state).toBeDefined();
    if (!state) return;
    expect(state.texts).toEqual([['base/a.yaml', 'a: 1\n']]);
    // Once a.yaml is gone from disk, only the handed-over text can answer for it.
    rmSync(join(root, 'base/a.yaml'));
    const second = nodeRepoFs(root, { keepTexts: true, state });
    expect(second.readFile('base/a.yaml')).toBe('a: 1\n');
    expect(second.readFile('base/b.yaml')).toBe('b: 2\n');
    expect(second.isDirectory('base')).toBe(true);
    expect(second.exists('base/nope.yaml')).toBe(false);
    expect(second.realPath?.('base/b.yaml')).toBe('base/b.yaml');
    expect(() => second.readFile('out/hostname')).toThrow(expect.objectContaining({ code: 'E_PATH_ESCAPE' }) as Error);
  });
});
