import { z } from 'zod';
import { KINDS, type KindEntry } from './registry.ts';

/** File name of a kind's JSON Schema in `schemas/` (`ployd.ai_v1_ModelDeployment.json`). */
export function schemaFileName(entry: Pick<KindEntry, 'apiVersion' | 'kind'>): string {
  return `${entry.apiVersion.replace(/\//g, '_')}_${entry.kind}.json`;
}

/** JSON Schema (draft 2020-12) of a kind as users write it, for editors and `ployd schema`. */
export function kindJsonSchema(entry: KindEntry): Record<string, unknown> {
  const schema = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return {
    ...schema,
    $id: `https://ployd.ai/schemas/${schemaFileName(entry)}`,
    title: `${entry.apiVersion} ${entry.kind}`,
    description: entry.summary,
  };
}

/** Every kind's schema, keyed by file name. */
export function allJsonSchemas(): Map<string, Record<string, unknown>> {
  return new Map(KINDS.map((k) => [schemaFileName(k), kindJsonSchema(k)]));
}
