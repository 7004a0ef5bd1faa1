import { createHash } from 'node:crypto';
import type { ModelDeployment } from '../../resources/index.ts';

/**
 * Kubernetes names for a ModelDeployment's objects. Model names such as `llama-3.1-8b` are valid
 * Deployment names but not Service names (RFC 1035 labels: no dots, start with a letter, ≤ 63), and
 * LeaderWorkerSet names become pod hostnames; so every object uses one RFC 1035 form of the name.
 */
export function kubeName(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(s)) s = `m-${s}`;
  if (s.length <= 63) return s;
  // Truncating alone could make two long names collide; a short hash of the full name keeps them apart.
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${s.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** A label value (≤ 63 chars of `[A-Za-z0-9._-]`, alphanumeric at both ends); empty when nothing is left. */
export function labelValue(value: string): string {
  let s = value.replace(/[^A-Za-z0-9._-]/g, '-');
  if (s.length > 63) s = s.slice(0, 63);
  return s.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** In-cluster DNS name of the model's Service. */
export function serviceHost(md: ModelDeployment, namespace: string): string {
  return `${kubeName(md.metadata.name)}.${namespace}.svc.cluster.local`;
}
