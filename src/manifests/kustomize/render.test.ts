import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PloydError } from '../../errors/index.ts';
import { isKustomizationDir, memoryRepoFs, nodeRepoFs, renderKustomization, toYamlStream } from './index.ts';

const files = {
  'apps/base/kustomization.yaml': 'resources:\n- r.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - a=1\n',
  'apps/base/r.yaml': '# comment\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n---\n\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: plain\n',
  'apps/prod/kustomization.yaml': 'namePrefix: prod-\nresources:\n- ../base\n',
};

describe('renderKustomization', () => {
  it('renders from an in-memory tree and keeps source origins', () => {
    const result = renderKustomization(memoryRepoFs(files), 'apps/prod');
    expect(result.diagnostics).toEqual([]);
    const byName = new Map(result.resources.map((r) => [(r.object['metadata'] as { name: string }).name, r.origin]));
    expect(byName.get('prod-svc')).toEqual({ file: 'apps/base/r.yaml', line: 2, column: 1 });
    expect(byName.get('prod-plain')).toEqual({ file: 'apps/base/r.yaml', line: 8, column: 3 });
    expect(byName.get('prod-cfg-h29d89cmmt')).toEqual({ file: 'apps/base/kustomization.yaml', line: 4, column: 3 });
  });

  it('prints kustomize-formatted YAML', () => {
    const out = toYamlStream(renderKustomization(memoryRepoFs(files), 'apps/base').resources);
    expect(out).toBe(
      'apiVersion: v1\ndata:\n  a: "1"\nkind: ConfigMap\nmetadata:\n  name: cfg-h29d89cmmt\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n',
    );
  });

  it('reports a missing kustomization as a diagnostic, not a throw', () => {
    const result = renderKustomization(memoryRepoFs(files), 'apps/nope');
    expect(result.diagnostics[0]?.code).toBe('E_FILE_NOT_FOUND');
  });

  it('detects kustomization folders', () => {
    const fs = memoryRepoFs({ ...files, 'x/Kustomization': 'resources: []\n', 'y/readme.md': 'hi' });
    expect(isKustomizationDir(fs, 'apps/base')).toBe(true);
    expect(isKustomizationDir(fs, 'x')).toBe(true);
    expect(isKustomizationDir(fs, 'y')).toBe(false);
    expect(isKustomizationDir(fs, 'missing')).toBe(false);
  });

  it('refuses two kustomization files in one folder', () => {
    const fs = memoryRepoFs({ 'k/kustomization.yaml': 'resources: []\n', 'k/kustomization.yml': 'resources: []\n' });
    expect(renderKustomization(fs, 'k').diagnostics[0]?.code).toBe('E_KUSTOMIZE_INVALID');
  });

  it('reads YAML 1.1 booleans in kustomization files the way kustomize does', () => {
    const fs = memoryRepoFs({ 'k/kustomization.yaml': 'commonLabels:\n  enabled: yes\n' });
    expect(renderKustomization(fs, 'k').diagnostics[0]?.code).toBe('E_KUSTOMIZE_INVALID');
  });
});

describe('nodeRepoFs', () => {
  const root = mkdtempSync(join(tmpdir(), 'ployd-kfs-'));
  mkdirSync(join(root, 'd'));
  writeFileSync(join(root, 'd/a.yaml'), 'a: 1\n');
  writeFileSync(join(root, 'd/bin.dat'), Buffer.from([1, 0, 2]));
  symlinkSync('/etc', join(root, 'd/out'));
  const fs = nodeRepoFs(root);

  it('reads, lists and checks files inside the root', () => {
    expect(fs.readFile('d/a.yaml')).toBe('a: 1\n');
    expect(fs.exists('d/a.yaml')).toBe(true);
    expect(fs.isDirectory('d')).toBe(true);
    expect(fs.listDir('d')).toEqual(['a.yaml', 'bin.dat', 'out']);
  });

  it('refuses paths and symlinks that leave the root, binaries and missing files', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return err instanceof PloydError ? err.code : 'other';
      }
      return undefined;
    };
    expect(code(() => fs.readFile('../x'))).toBe('E_PATH_ESCAPE');
    expect(code(() => fs.readFile('d/out/hosts'))).toBe('E_PATH_ESCAPE');
    expect(code(() => fs.readFile('d/bin.dat'))).toBe('E_BINARY_FILE');
    expect(code(() => fs.readFile('d/none.yaml'))).toBe('E_FILE_NOT_FOUND');
  });
});
