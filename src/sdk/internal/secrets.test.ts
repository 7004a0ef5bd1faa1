import { describe, expect, it } from 'vitest';
import { hashMatches, newId, newSecret, randomBase62, secretId, sha256Hex } from './secrets.ts';

describe('secrets', () => {
  it('makes pk_/pt_ secrets whose id is recoverable and whose hash matches only themselves', () => {
    const { id, prefix, secret } = newSecret('pk');
    expect(secret).toMatch(/^pk_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
    expect(prefix).toBe(`pk_${id}_`);
    expect(secretId('pk', secret)).toBe(id);
    expect(secretId('pt', secret)).toBeUndefined();
    const hash = sha256Hex(secret);
    expect(hashMatches(secret, hash)).toBe(true);
    expect(hashMatches(`${secret}x`, hash)).toBe(false);
    expect(hashMatches(secret, 'not-hex')).toBe(false);
    expect(hashMatches(secret, '')).toBe(false);
  });

  it('rejects malformed presented secrets before any lookup', () => {
    for (const bad of ['', 'pk_', 'pk_short_abc', 'pk_abcdefgh_tooShort', `pk_abcdefgh_${'a'.repeat(300)}`, 'pk_abcdefg!_' + 'a'.repeat(40), ' pk_abcdefgh_' + 'a'.repeat(40)]) {
      expect(secretId('pk', bad)).toBeUndefined();
    }
  });

  it('draws ids from the whole base62 alphabet without repeats in practice', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => randomBase62(8)));
    expect(seen.size).toBe(2000);
    const chars = new Set(Array.from({ length: 200 }, () => randomBase62(40)).join(''));
    expect(chars.size).toBe(62);
    expect(newId('model')).toMatch(/^model_[0-9A-Za-z]{12}$/);
  });
});
