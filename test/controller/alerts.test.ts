import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('ployd alerts', () => {
  it.skipIf(!promtool)('writes rules that pass promtool check rules (skipped: promtool missing, apt-get install prometheus)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ployd-alerts-'));
    try {
      const file = join(dir, 'rules.yaml');
      expect(await main(['alerts', '--output', file])).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('ployd_app_info');
      expect(text).toMatch(/sync_status/);
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
