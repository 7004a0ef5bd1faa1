import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform random base62 (crypto.randomInt avoids modulo bias). */
export function randomBase62(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += BASE62[randomInt(62)];
  return s;
}

export const ID_LENGTH = 8;
/** 40 base62 chars ≈ 238 bits of entropy. */
export const SECRET_LENGTH = 40;

export type SecretKind = 'pk' | 'pt';

/** `pk_<8-char id>_<40 random base62>`: the id finds the row, the whole string is hashed. */
export function newSecret(kind: SecretKind): { id: string; secret: string; prefix: string } {
  const id = randomBase62(ID_LENGTH);
  const prefix = `${kind}_${id}_`;
  return { id, prefix, secret: `${prefix}${randomBase62(SECRET_LENGTH)}` };
}

const FORMAT = /^(pk|pt)_([0-9A-Za-z]{8})_([0-9A-Za-z]{32,128})$/;

/** The id inside a presented secret of the given kind, or undefined when it is not one. */
export function secretId(kind: SecretKind, presented: string): string | undefined {
  if (presented.length > 200) return undefined;
  const m = FORMAT.exec(presented);
  return m && m[1] === kind ? m[2] : undefined;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares the presented secret's hash with a stored hex hash in constant time. */
export function hashMatches(presented: string, storedHex: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = Buffer.from(storedHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Short random ids for rows that are not secrets (`model_…`, `mv_…`, `dep_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(12)}`;
}
