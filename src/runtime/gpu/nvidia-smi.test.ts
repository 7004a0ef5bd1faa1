import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi } from './nvidia-smi.ts';

describe('parseNvidiaSmi', () => {
  it('parses index, name and memory of each GPU', () => {
    const out = '0, NVIDIA A100-SXM4-80GB, 81920, 4\n1, NVIDIA A100-SXM4-80GB, 81920, 40123\n';
    expect(parseNvidiaSmi(out)).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 4 },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 40123 },
    ]);
  });

  it('treats [N/A] and [Not Supported] as absent and keeps the GPU', () => {
    expect(parseNvidiaSmi('0, NVIDIA H100 MIG 1g.10gb, [N/A], [Not Supported]\r\n')).toEqual([
      { index: 0, name: 'NVIDIA H100 MIG 1g.10gb' },
    ]);
  });

  it('skips blank and malformed lines, sorts by index', () => {
    const out = '\n2, Tesla T4, 15360, 0\ngarbage\n-1, bad, 1, 1\n0, Tesla T4, 15360, 0\n   \n';
    expect(parseNvidiaSmi(out).map((g) => g.index)).toEqual([0, 2]);
  });

  it('returns nothing for empty output', () => {
    expect(parseNvidiaSmi('')).toEqual([]);
  });
});
