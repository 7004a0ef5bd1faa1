import { z } from 'zod';

/**
 * Kubernetes-style quantities and durations, parsed once at the boundary so the rest of PloyD
 * works with plain numbers: CPU in cores, memory in bytes, durations in milliseconds.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** `"16Gi"` → 17179869184, `"4000m"` → 4, `"2"` → 2; undefined when not a quantity. */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = QUANTITY_RE.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? undefined : n * factor;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * `"30s"` → 30000, `"1m30s"` → 90000, `"500ms"` → 500. A bare number means seconds, as in
 * Kubernetes' `*Seconds` fields. Undefined when not a duration.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  let total = 0;
  DURATION_RE.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    DURATION_RE.lastIndex = pos;
    const m = DURATION_RE.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? Number.NaN);
    pos = DURATION_RE.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Formats milliseconds back to the shortest duration string (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}

/** zod: a quantity (`"16Gi"`, `"4000m"`, `8`) parsed to a number. */
export const Quantity = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const n = parseQuantity(v);
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a quantity: ${JSON.stringify(v)} (expected e.g. 16Gi, 4000m, 2)`, params: { ployd: 'E_BAD_QUANTITY' } });
      return z.NEVER;
    }
    return n;
  });

/** zod: a duration (`"30s"`, `"5m"`, `"500ms"`, or seconds as a number) parsed to milliseconds. */
export const Duration = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const n = parseDuration(v);
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (expected e.g. 30s, 5m, 500ms)`, params: { ployd: 'E_BAD_QUANTITY' } });
      return z.NEVER;
    }
    return n;
  });

/** zod: a number that may be written as a string (`"1"` in YAML for `nvidia.com/gpu`). */
export const IntLike = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform((v) => Number(v));
