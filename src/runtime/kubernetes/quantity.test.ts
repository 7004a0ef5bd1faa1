import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../resources/index.ts';
import { formatCpu, formatMemory } from './quantity.ts';
import { kubeName, labelValue } from './names.ts';

describe('formatCpu', () => {
  it('writes whole cores plainly and fractions as millicores', () => {
    expect(formatCpu(4)).toBe('4');
    expect(formatCpu(0.5)).toBe('500m');
    expect(formatCpu(1.5)).toBe('1500m');
    expect(formatCpu(0.1 + 0.2)).toBe('300m');
    expect(formatCpu(0.0001)).toBe('1m');
  });
  it('round-trips quantities the resource model parses', () => {
    for (const q of ['4', '4000m', '250m', '32', '0']) expect(parseQuantity(formatCpu(parseQuantity(q) ?? -1))).toBe(parseQuantity(q));
  });
  it('refuses negative or non-finite amounts', () => {
    expect(() => formatCpu(-1)).toThrow(RangeError);
    expect(() => formatCpu(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatMemory', () => {
  it('uses the largest binary suffix that divides, then decimal, then bytes', () => {
    expect(formatMemory(16 * 2 ** 30)).toBe('16Gi');
    expect(formatMemory(320 * 2 ** 30)).toBe('320Gi');
    expect(formatMemory(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatMemory(2 ** 40)).toBe('1Ti');
    expect(formatMemory(500e6)).toBe('500M');
    expect(formatMemory(1001)).toBe('1001');
    expect(formatMemory(0)).toBe('0');
  });
  it('round-trips', () => {
    for (const q of ['16Gi', '20Gi', '256Gi', '500M', '1.5Gi', '12345']) expect(parseQuantity(formatMemory(parseQuantity(q) ?? -1))).toBe(parseQuantity(q));
  });
});

describe('kubeName', () => {
  it('turns model names into RFC 1035 labels', () => {
    expect(kubeName('llama-3.1-8b')).toBe('llama-3-1-8b');
    expect(kubeName('7b-chat')).toBe('m-7b-chat');
    expect(kubeName('Qwen2.5_72B')).toBe('qwen2-5-72b');
  });
  it('keeps long names apart with a hash when truncating', () => {
    const a = kubeName(`${'x'.repeat(70)}-a`);
    const b = kubeName(`${'x'.repeat(70)}-b`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  });
  it('makes label values valid', () => {
    expect(labelValue('meta-llama/Llama-3.1-8B')).toBe('meta-llama-Llama-3.1-8B');
    expect(labelValue('-x-')).toBe('x');
  });
});
