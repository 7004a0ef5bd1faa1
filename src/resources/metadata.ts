import { z } from 'zod';

/** DNS-1123 label-ish names, as Kubernetes requires; dots allowed for model names like llama-3.1-8b. */
export const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const Name = z
  .string()
  .min(1)
  .max(253)
  .regex(NAME_RE, 'must be lower-case alphanumerics, "-" or ".", starting and ending alphanumeric');

/**
 * The label GitOps puts on everything it applies for an Application; the store keeps its value in
 * `resources.application` (indexed), so an app's objects are found without scanning labels.
 */
export const APPLICATION_LABEL = 'ployd.ai/application';

export const ObjectMeta = z.object({
  name: Name,
  namespace: Name.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** The header every resource has; kind schemas extend it with their `spec`. */
export function resourceSchema<A extends string, K extends string, S extends z.ZodType>(apiVersion: A, kind: K, spec: S) {
  return z.object({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: ObjectMeta,
    spec,
  });
}

/** For kinds whose every spec field has a default (Environment, Project): `spec` may be left out. */
export function optionalSpec<S extends z.ZodObject>(spec: S) {
  return spec.prefault({} as z.input<S>);
}

export const PLOYD_API_VERSION = 'ployd.ai/v1';
