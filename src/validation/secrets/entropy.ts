/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64ISH = /^[A-Za-z0-9+/=_-]+$/;

/**
 * Whether a value looks like generated key material: at least 20 characters of a hex or
 * base64(url) alphabet with entropy near what random text of that length and alphabet has.
 * The threshold scales with length because short random strings cannot reach the alphabet's
 * maximum (20 random base64 characters average about 4.0 bits, 40 about 4.8).
 */
export function isHighEntropy(value: string): boolean {
  if (value.length < 20) return false;
  const h = shannonEntropy(value);
  if (HEX.test(value)) return h >= 0.8 * Math.log2(Math.min(value.length, 16));
  if (!BASE64ISH.test(value)) return false;
  // Words joined by dashes or camelCase are names, not keys: random material has digits,
  // or at least both cases over a longer run.
  const hasDigit = /\d/.test(value);
  const mixedCase = /[a-z]/.test(value) && /[A-Z]/.test(value);
  if (!hasDigit && !(mixedCase && value.length >= 32)) return false;
  return h >= 0.8 * Math.log2(Math.min(value.length, 64));
}
