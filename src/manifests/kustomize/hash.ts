import { createHash } from 'node:crypto';
import { goJson } from './go-json.ts';

/**
 * kustomize's name-suffix hash (api/hasher/hasher.go): sha256 over the Go JSON encoding of the
 * fields that define a ConfigMap or Secret, the first 10 hex digits re-spelled so the suffix never
 * looks like a number or a bad word.
 */
export function encodeHash(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The canonical JSON kustomize hashes for a generated object. */
export function hashInput(obj: Record<string, unknown>): string {
  // kustomize v5 looks the name up as the single field "metadata/name", which never exists, so
  // the name always hashes as "" (and a prefix never changes the suffix).
  const name = '';
  // kustomize reads missing fields as "" (getNodeValues), scalars by their text.
  const field = (k: string): unknown => (obj[k] === undefined || obj[k] === null ? '' : obj[k]);
  if (obj['kind'] === 'ConfigMap') {
    const m: Record<string, unknown> = { kind: 'ConfigMap', name, data: field('data') };
    if (isMap(obj['binaryData'])) m['binaryData'] = obj['binaryData'];
    return goJson(m);
  }
  if (obj['kind'] === 'Secret') {
    const m: Record<string, unknown> = { kind: 'Secret', type: field('type'), name, data: field('data') };
    if (isMap(obj['stringData'])) m['stringData'] = obj['stringData'];
    return goJson(m);
  }
  return goJson(obj);
}

export function kustomizeHash(obj: Record<string, unknown>): string {
  return encodeHash(createHash('sha256').update(hashInput(obj)).digest('hex'));
}
