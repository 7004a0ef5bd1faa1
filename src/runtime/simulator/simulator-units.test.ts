import { describe, expect, it } from 'vitest';
import { countTokens, randomTokens, tokenize } from './tokens.ts';
import { createRng, hashString } from './prng.ts';
import { loadFactor, sampleInterTokenLatency, sampleTimeToFirstToken, type LatencyConfig } from './latency.ts';
import { DEFAULT_SETTINGS, SimulatorConfigPatch, resolveSettings } from './config.ts';
import { isPloydError } from '../../errors/index.ts';
import { embeddingVector } from './server.ts';

describe('tokens', () => {
  it('splits words and punctuation, keeping whitespace so tokens join back to the text', () => {
    const text = '  Hello, world!  How are you?\n';
    const t = tokenize(text);
    expect(t).toEqual(['  Hello', ',', ' world', '!', '  How', ' are', ' you', '?', '\n']);
    expect(t.join('')).toBe(text);
    expect(countTokens(text)).toBe(t.length);
    expect(countTokens('')).toBe(0);
    expect(tokenize('naïve café 42')).toEqual(['naïve', ' café', ' 42']);
  });
  it('random text is a function of the generator state', () => {
    const a = randomTokens(createRng(7), 50);
    expect(a).toHaveLength(50);
    expect(randomTokens(createRng(7), 50)).toEqual(a);
    expect(randomTokens(createRng(8), 50)).not.toEqual(a);
  });
});

describe('prng', () => {
  it('is deterministic and uniform-ish', () => {
    const r = createRng(1);
    const xs = Array.from({ length: 10_000 }, () => r.next());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(createRng(1).next()).toBe(xs[0]);
    expect(hashString('abc')).toBe(hashString('abc'));
    expect(hashString('abc')).not.toBe(hashString('abd'));
  });
  it('normal draws have the requested mean and deviation', () => {
    const r = createRng(3);
    const xs = Array.from({ length: 20_000 }, () => r.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});

describe('latency', () => {
  const cfg: LatencyConfig = { timeToFirstToken: 100, prefillTimePerToken: 2, interTokenLatency: 10, latencyStdDev: 0, timeFactorUnderLoad: 3, addedLatency: 5, maxNumSeqs: 5 };
  it('slows down linearly to the factor at max-num-seqs', () => {
    expect(loadFactor(cfg, 1)).toBe(1);
    expect(loadFactor(cfg, 3)).toBe(2);
    expect(loadFactor(cfg, 5)).toBe(3);
    expect(loadFactor(cfg, 9)).toBe(3);
    expect(loadFactor({ ...cfg, timeFactorUnderLoad: 1 }, 5)).toBe(1);
  });
  it('time to first token is constant plus prefill per prompt token, scaled, plus added latency', () => {
    const r = createRng(1);
    expect(sampleTimeToFirstToken(cfg, 10, 1, r)).toBe(125);
    expect(sampleTimeToFirstToken(cfg, 10, 5, r)).toBe(365);
    expect(sampleInterTokenLatency(cfg, 3, r)).toBe(20);
  });
  it('noise never makes a latency negative', () => {
    const r = createRng(2);
    const noisy = { ...cfg, interTokenLatency: 1, latencyStdDev: 50, addedLatency: 0, timeToFirstToken: 1, prefillTimePerToken: 0 };
    for (let i = 0; i < 2000; i++) {
      expect(sampleInterTokenLatency(noisy, 1, r)).toBeGreaterThanOrEqual(0);
      expect(sampleTimeToFirstToken(noisy, 0, 1, r)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('config', () => {
  it('fills defaults and names a bad field', () => {
    expect(resolveSettings({ model: 'm' })).toMatchObject({ ...DEFAULT_SETTINGS, model: 'm' });
    try {
      resolveSettings({ model: 'm', maxNumSeqs: 0 });
      expect.unreachable();
    } catch (err) {
      expect(isPloydError(err) && err.code).toBe('E_VALIDATION');
      expect((err as Error).message).toContain('maxNumSeqs');
    }
  });
  it('patches are strict', () => {
    expect(SimulatorConfigPatch.safeParse({ failureRate: 0.5 }).success).toBe(true);
    expect(SimulatorConfigPatch.safeParse({ failureRat: 0.5 }).success).toBe(false);
    expect(SimulatorConfigPatch.safeParse({ failureTypes: ['nope'] }).success).toBe(false);
  });
});

describe('embeddings', () => {
  it('are deterministic unit vectors', () => {
    const a = embeddingVector('hello', 64, 0);
    expect(a).toHaveLength(64);
    expect(Array.from(embeddingVector('hello', 64, 0))).toEqual(Array.from(a));
    expect(Array.from(embeddingVector('hello', 64, 1))).not.toEqual(Array.from(a));
    const norm = Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
  });
});
