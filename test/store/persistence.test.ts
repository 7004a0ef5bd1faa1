import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';

const values = () => ({ apiVersion: 'ployd.ai/v1', spec: {}, manifest: {}, hash: 'h' });

describe('store on PGlite with a data directory', () => {
  it('persists across close and re-open, and re-applies no migration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ployd-store-'));
    try {
      const dataDir = join(dir, 'data');
      const first = await openStore({ dataDir });
      await first.resources.create({ kind: 'K', namespace: 'n', name: 'kept' }, values());
      const applied = await first.migrations();
      await first.close();
      const second = await openStore({ dataDir });
      try {
        expect(await second.migrations()).toEqual(applied);
        expect((await second.resources.require({ kind: 'K', namespace: 'n', name: 'kept' })).resourceVersion).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
