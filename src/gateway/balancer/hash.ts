/** FNV-1a, 32 bit: fast, dependency-free, good enough spread for rendezvous hashing. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so similar keys land far apart.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Weighted rendezvous (highest-random-weight) hashing: consistent hashing without a ring. Removing
 * a candidate only moves the keys that were on it; weights bias the share.
 */
export function rendezvous<T>(key: string, candidates: readonly T[], id: (c: T) => string, weight: (c: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const c of candidates) {
    const w = Math.max(weight(c), 1e-9);
    const h = (fnv1a(`${key}\u0000${id(c)}`) + 0.5) / 4294967296;
    const score = -w / Math.log(h);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}
