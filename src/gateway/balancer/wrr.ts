/**
 * nginx's smooth weighted round robin: each pick adds every candidate's weight to its current
 * value, takes the largest, and subtracts the total from it. Deterministic, and spreads picks
 * evenly (weights 5,1,1 give a a b a c a a, not a a a a a b c).
 */
export function smoothWeightedPick<T>(candidates: readonly T[], current: Map<string, number>, id: (c: T) => string, weight: (c: T) => number): T | undefined {
  let best: T | undefined;
  let bestCurrent = -Infinity;
  let total = 0;
  for (const c of candidates) {
    const w = weight(c);
    total += w;
    const k = id(c);
    const v = (current.get(k) ?? 0) + w;
    current.set(k, v);
    if (v > bestCurrent) {
      bestCurrent = v;
      best = c;
    }
  }
  if (best !== undefined) current.set(id(best), bestCurrent - total);
  return best;
}
