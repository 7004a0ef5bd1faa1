/**
 * Numbers back to Kubernetes quantities. The resource model parses `"4"`, `"4000m"` and `"16Gi"`
 * into cores and bytes; the Kubernetes target writes them back in the canonical short form so
 * rendered manifests read like hand-written ones and diff cleanly against what the API server
 * returns (it canonicalises quantities the same way).
 */

/** Cores → `"4"`, `"500m"`, `"1500m"`. Sub-millicore values round up: the API server rejects them. */
export function formatCpu(cores: number): string {
  if (!Number.isFinite(cores) || cores < 0) throw new RangeError(`not a CPU amount: ${cores}`);
  // Round to a micro-core first so 0.1 + 0.2 style float noise does not become an extra millicore.
  const millis = Math.ceil(Math.round(cores * 1e6) / 1e3);
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

const BINARY: readonly (readonly [string, number])[] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];
const DECIMAL: readonly (readonly [string, number])[] = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];

/** Bytes → `"16Gi"`, `"500M"`, or plain bytes when no suffix divides exactly. */
export function formatMemory(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`not a memory amount: ${bytes}`);
  const whole = Math.ceil(bytes);
  if (whole === 0) return '0';
  for (const [suffix, size] of BINARY) if (whole % size === 0) return `${whole / size}${suffix}`;
  for (const [suffix, size] of DECIMAL) if (whole % size === 0) return `${whole / size}${suffix}`;
  return String(whole);
}
