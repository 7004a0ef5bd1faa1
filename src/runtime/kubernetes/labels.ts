import { createHash } from 'node:crypto';
import { servedModelName, type ModelDeployment } from '../../resources/index.ts';
import { kubeName, labelValue } from './names.ts';

export const MANAGED_BY = 'ployd';
export const ROLE_LABEL = 'ployd.ai/role';
export const SPEC_HASH_ANNOTATION = 'ployd.ai/spec-hash';
export const SERVED_MODEL_ANNOTATION = 'ployd.ai/served-model-name';
export const SOURCE_ANNOTATION = 'ployd.ai/source';

/** The labels a Service and a workload select pods by; stable for the life of the deployment. */
export function selectorLabels(md: ModelDeployment): Record<string, string> {
  const name = kubeName(md.metadata.name);
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

/**
 * Labels of every object and pod. The ModelDeployment's own labels come first so selectors written
 * against them (seed 000's podAntiAffinity on `app: llama-3.1-8b`) match the pods; ours win on clash.
 */
export function commonLabels(md: ModelDeployment): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.metadata.labels ?? {})) own[k] = v;
  const version = md.spec.model.version === undefined ? '' : labelValue(md.spec.model.version);
  return {
    ...own,
    ...selectorLabels(md),
    'app.kubernetes.io/component': 'model-server',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...(version ? { 'app.kubernetes.io/version': version } : {}),
    'ployd.ai/model': labelValue(md.metadata.name),
    'ployd.ai/framework': labelValue(md.spec.model.framework),
  };
}

/** Stable hash of the spec, written as an annotation so drift and "what is running" can be read back. */
export function specHash(md: ModelDeployment): string {
  return createHash('sha256').update(stableJson(md.spec)).digest('hex').slice(0, 16);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function objectAnnotations(md: ModelDeployment): Record<string, string> {
  return {
    [SPEC_HASH_ANNOTATION]: specHash(md),
    [SERVED_MODEL_ANNOTATION]: servedModelName(md),
    [SOURCE_ANNOTATION]: `ModelDeployment/${md.metadata.name}`,
  };
}
