import { z } from 'zod';
import { fail } from './errors.ts';
import type { SourceDoc } from './yaml-source.ts';
import { isObject } from './resource.ts';

const stringMap = z.record(z.string(), z.string());

const selector = z.strictObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  labelSelector: z.string().optional(),
  annotationSelector: z.string().optional(),
});

const generatorOptions = z.strictObject({
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  disableNameSuffixHash: z.boolean().optional(),
  immutable: z.boolean().optional(),
});

const generatorArgs = {
  name: z.string().optional(),
  namespace: z.string().optional(),
  behavior: z.enum(['create', 'replace', 'merge', '']).optional(),
  literals: z.array(z.string()).optional(),
  files: z.array(z.string()).optional(),
  envs: z.array(z.string()).optional(),
  env: z.string().optional(),
  options: generatorOptions.optional(),
};

export const kustomizationSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({ name: z.string().optional() }).optional(),
  resources: z.array(z.string()).optional(),
  bases: z.array(z.string()).optional(),
  components: z.array(z.string()).optional(),
  namespace: z.string().optional(),
  namePrefix: z.string().optional(),
  nameSuffix: z.string().optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  labels: z
    .array(
      z.strictObject({
        pairs: stringMap.optional(),
        includeSelectors: z.boolean().optional(),
        includeTemplates: z.boolean().optional(),
        fields: z
          .array(
            z.strictObject({
              path: z.string(),
              group: z.string().optional(),
              version: z.string().optional(),
              kind: z.string().optional(),
              create: z.boolean().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  patches: z
    .array(
      z.strictObject({
        path: z.string().optional(),
        patch: z.string().optional(),
        target: selector.optional(),
        options: z.strictObject({ allowNameChange: z.boolean().optional(), allowKindChange: z.boolean().optional() }).optional(),
      }),
    )
    .optional(),
  patchesStrategicMerge: z.array(z.string()).optional(),
  patchesJson6902: z
    .array(z.strictObject({ target: selector, path: z.string().optional(), patch: z.string().optional() }))
    .optional(),
  images: z
    .array(
      z.strictObject({
        name: z.string(),
        newName: z.string().optional(),
        newTag: z.string().optional(),
        digest: z.string().optional(),
      }),
    )
    .optional(),
  replicas: z.array(z.strictObject({ name: z.string(), count: z.number().int() })).optional(),
  configMapGenerator: z.array(z.strictObject(generatorArgs)).optional(),
  secretGenerator: z.array(z.strictObject({ ...generatorArgs, type: z.string().optional() })).optional(),
  generatorOptions: generatorOptions.optional(),
});

export type Kustomization = z.infer<typeof kustomizationSchema>;
export type GeneratorArgs = NonNullable<Kustomization['configMapGenerator']>[number] & { type?: string | undefined };
export type GeneratorOptions = z.infer<typeof generatorOptions>;

/** Real kustomize fields this renderer deliberately does not implement. */
export const UNSUPPORTED_FIELDS = new Set([
  'helmCharts',
  'helmGlobals',
  'helmChartInflationGenerator',
  'replacements',
  'vars',
  'crds',
  'openapi',
  'transformers',
  'generators',
  'validators',
  'buildMetadata',
  'sortOptions',
  'configurations',
  'imageTags',
  'inventory',
]);

/** Parses one kustomization document; any problem throws with the file and line. */
export function parseKustomization(doc: SourceDoc, file: string): Kustomization {
  const raw = doc.value;
  if (!isObject(raw)) fail('E_KUSTOMIZE_INVALID', 'kustomization is not a mapping', { file, line: doc.line, column: doc.column });
  for (const key of Object.keys(raw)) {
    if (UNSUPPORTED_FIELDS.has(key)) {
      const p = doc.keyPos(key);
      fail('E_KUSTOMIZE_UNSUPPORTED', `kustomization field "${key}" is not supported by PloyD's renderer`, { file, ...p, path: key } as never);
    }
  }
  // An empty key (`resources:`) is null in YAML; kustomize treats it as absent.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
  const parsed = kustomizationSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const top = issue?.path[0];
    const where = typeof top === 'string' ? doc.keyPos(top) : { line: doc.line, column: doc.column };
    let message = issue?.message ?? 'invalid kustomization';
    if (issue?.code === 'unrecognized_keys') {
      const keys = issue.keys;
      message = `unknown field ${keys.map((k) => `"${k}"`).join(', ')}`;
      if (issue.path.length === 0 && keys[0] !== undefined) Object.assign(where, doc.keyPos(keys[0]));
    }
    const path = issue?.path.map(String).join('.') ?? '';
    fail('E_KUSTOMIZE_INVALID', `invalid kustomization: ${path ? `${path}: ` : ''}${message}`, { file, ...where });
  }
  return parsed.data;
}
