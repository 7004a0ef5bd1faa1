import type { HealthStatus } from '../runtime/index.ts';

/**
 * Argo CD's order of health, best to worst (gitops-engine `healthOrder`); an application's health
 * is its worst resource's.
 */
const ORDER: readonly HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export function isWorse(a: HealthStatus, b: HealthStatus): boolean {
  return ORDER.indexOf(a) > ORDER.indexOf(b);
}

/** Worst child; an application with no resources is Healthy, as in Argo CD. */
export function rollUpHealth(children: readonly HealthStatus[]): HealthStatus {
  let worst: HealthStatus = 'Healthy';
  for (const h of children) if (isWorse(h, worst)) worst = h;
  return worst;
}
