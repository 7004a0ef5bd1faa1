import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseQuantity } from './quantity.ts';

describe('quantities', () => {
  it('parses Kubernetes quantities to numbers', () => {
    expect(parseQuantity('16Gi')).toBe(16 * 2 ** 30);
    expect(parseQuantity('4000m')).toBe(4);
    expect(parseQuantity('8')).toBe(8);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('500Mi')).toBe(500 * 2 ** 20);
    expect(parseQuantity(3)).toBe(3);
  });

  it('rejects what is not a quantity', () => {
    expect(parseQuantity('16GB')).toBeUndefined();
    expect(parseQuantity('')).toBeUndefined();
    expect(parseQuantity('lots')).toBeUndefined();
    expect(parseQuantity(Number.NaN)).toBeUndefined();
  });

  it('parses durations to milliseconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration(60)).toBe(60_000);
    expect(parseDuration('60')).toBe(60_000);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });

  it('formats durations back', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(0)).toBe('0s');
  });
});
