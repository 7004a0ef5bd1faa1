import { describe, expect, it } from 'vitest';
import { isPloydError } from '../../errors/index.ts';
import { GpuInventory, describeShortage, parseGpuDeclaration } from './inventory.ts';

describe('parseGpuDeclaration', () => {
  it('reads N and N:type', () => {
    expect(parseGpuDeclaration('2')).toEqual([
      { index: 0, name: 'declared' },
      { index: 1, name: 'declared' },
    ]);
    expect(parseGpuDeclaration('1:A100').map((g) => g.name)).toEqual(['A100']);
    expect(parseGpuDeclaration('0')).toEqual([]);
  });

  it.each(['', 'two', '-1', '2:', '1.5'])('rejects %j with E_USAGE naming --gpus', (bad) => {
    try {
      parseGpuDeclaration(bad);
      expect.unreachable();
    } catch (err) {
      expect(isPloydError(err) && err.code).toBe('E_USAGE');
      expect((err as Error).message).toContain('--gpus');
    }
  });
});

describe('GpuInventory', () => {
  it('allocates whole GPUs all-or-nothing and explains shortages', () => {
    const inv = GpuInventory.declared('3');
    expect(inv.allocate('a', 2)).toEqual({ gpus: [0, 1] });
    const r = inv.allocate('b', 2);
    expect(r).toEqual({ shortage: { needed: 2, free: 1 } });
    if ('shortage' in r) expect(describeShortage(r.shortage)).toBe('needs 2 GPUs, 1 free');
    expect(inv.freeCount()).toBe(1);
    inv.release('a');
    expect(inv.allocate('b', 2)).toEqual({ gpus: [0, 1] });
  });

  it('zero GPUs always succeeds, even with no inventory', () => {
    expect(new GpuInventory([]).allocate('x', 0)).toEqual({ gpus: [] });
  });

  it('matches a requested type by name, case-insensitively', () => {
    const inv = new GpuInventory([
      { index: 0, name: 'Tesla T4' },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB' },
    ]);
    expect(inv.allocate('a', 1, 'a100')).toEqual({ gpus: [1] });
    const r = inv.allocate('b', 1, 'A100');
    expect('shortage' in r && describeShortage(r.shortage)).toBe('needs 1 GPU of type A100, 0 free');
  });

  it('claims GPUs for an adopted replica, refusing ones held by another', () => {
    const inv = GpuInventory.declared('2');
    expect(inv.claim('a', [1])).toBe(true);
    expect(inv.claim('b', [1])).toBe(false);
    expect(inv.claim('b', [7])).toBe(false);
    expect(inv.allocate('b', 1)).toEqual({ gpus: [0] });
    expect(inv.ownerOf(1)).toBe('a');
  });
});
