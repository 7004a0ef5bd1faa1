import { servedModelName, type ModelDeployment } from '../../resources/index.ts';
import { PloydError } from '../../errors/index.ts';
import type { LaunchContext } from './types.ts';

/**
 * Environment every framework gets: the deployment's `spec.env`, then `CUDA_VISIBLE_DEVICES` from
 * the GPUs the runtime assigned. A replica with no GPUs gets an empty value on purpose: a server
 * must never grab GPUs that belong to other replicas just because nothing hid them.
 */
export function baseEnv(md: ModelDeployment, ctx: LaunchContext): Record<string, string> {
  return { ...(md.spec.env ?? {}), CUDA_VISIBLE_DEVICES: ctx.gpus.join(',') };
}

/**
 * What to load: `spec.model.path` without its `hf://` or `file://` scheme (vLLM and TGI take a
 * Hugging Face id or a local folder), else the served model name (a Hugging Face id by convention).
 */
export function modelSource(md: ModelDeployment): string {
  const path = md.spec.model.path;
  if (path === undefined) return servedModelName(md);
  return stripScheme(path);
}

export function stripScheme(path: string): string {
  if (path.startsWith('hf://')) return path.slice('hf://'.length);
  if (path.startsWith('file://')) return path.slice('file://'.length);
  return path;
}

// Defaults of the resource model, re-exported for the launchers.
export { maxModelLen, maxNumSeqs } from '../../resources/index.ts';

/** Pushes `--flag value` when value is defined. */
export function flag(args: string[], name: string, value: string | number | undefined): void {
  if (value !== undefined) args.push(name, String(value));
}

export function requirePath(md: ModelDeployment, framework: string): string {
  const path = md.spec.model.path;
  if (path === undefined || path === '') {
    throw new PloydError('E_MISSING_FIELD', `ModelDeployment ${md.metadata.name}: spec.model.path is required for framework ${framework}`, {
      field: 'spec.model.path',
      name: md.metadata.name,
    });
  }
  return path;
}
